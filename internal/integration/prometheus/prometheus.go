// Package prometheus is what GitLab 12.5's Prometheus service does with
// its api_url (PrometheusService and Gitlab::PrometheusClient; spec §16):
// it sends nothing on events (execute is a no-op), its Test is a ping,
//
//	GET <api_url>/api/v1/query?query=1
//
// and it reads metrics through Prometheus' HTTP API, which glint passes
// through for the project's Maintainers:
//
//	GET <api_url>/api/v1/query?query=<promql>&time=<unix float>
//	GET <api_url>/api/v1/query_range?query=<promql>&start=<t>&end=<t>&step=<s>
//
// all without following redirects (follow_redirects: false). Answers are
// read as PrometheusClient#handle_querying_api_response does (Read): a
// 200 with status "success" gives its data, 400 a query error with
// Prometheus' "error" text (or "Bad data received"), anything else
// "<code> - <body>"; a body that is not JSON "Parsing response failed".
//
// Facts re-checked in gitlabhq/gitlabhq (lib/gitlab/prometheus_client.rb,
// the frozen_string_literal version with QUERY_RANGE_DATA_POINTS = 600
// and QUERY_RANGE_MIN_STEP = 60; app/models/project_services/
// prometheus_service.rb's test: "Checked API endpoint"): api_url loses a
// trailing "/" (chomp), the query parameters are encoded by HTTParty in
// the order query, time / query, start, end, step, and times are Ruby
// floats (Time#to_f).
//
// It knows the integration types only.
package prometheus

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
)

// Step rule of PrometheusClient.compute_step.
const (
	// RangeDataPoints is the number of points a range query aims at.
	RangeDataPoints = 600
	// MinStep is the smallest step, in seconds.
	MinStep = 60
)

// TestSuccess is the result text of a successful Test.
const TestSuccess = "Checked API endpoint"

var errURL = errors.New("prometheus: api_url is not set")

// Step is PrometheusClient.compute_step: max(60, ceil((end - start) / 600)).
func Step(start, end float64) int {
	step := int(math.Ceil((end - start) / RangeDataPoints))
	return max(MinStep, step)
}

// Ping is the Test request: GET <api_url>/api/v1/query?query=1.
func Ping(settings map[string]any) (integration.Request, error) {
	return get(settings, "query", "query=1")
}

// Query is an instant query at time (Unix seconds).
func Query(settings map[string]any, query string, time float64) (integration.Request, error) {
	return get(settings, "query", "query="+integration.FormEscape(query)+"&time="+Float(time))
}

// QueryRange is a range query from start to end by step (seconds).
func QueryRange(settings map[string]any, query string, start, end float64, step int) (integration.Request, error) {
	return get(settings, "query_range", "query="+integration.FormEscape(query)+"&start="+Float(start)+"&end="+Float(end)+"&step="+strconv.Itoa(step))
}

func get(settings map[string]any, kind, query string) (integration.Request, error) {
	apiURL := APIURL(settings)
	if apiURL == "" {
		return integration.Request{}, errURL
	}
	return integration.Request{Method: http.MethodGet, URL: apiURL + "/api/v1/" + kind + "?" + query, NoRedirects: true}, nil
}

// Test is PrometheusService#test: the ping, "Checked API endpoint" when
// it gets an answer PrometheusClient accepts, else the error's text.
func Test(settings map[string]any, _ integration.Project) (integration.TestQuery, error) {
	req, err := Ping(settings)
	if err != nil {
		return integration.TestQuery{}, err
	}
	apiURL := APIURL(settings)
	return integration.TestQuery{Request: req, Read: func(a integration.Answer) integration.TestResult {
		if _, err := Read(a, apiURL); err != nil {
			return integration.TestResult{Result: err.Error()}
		}
		return integration.TestResult{Success: true, Result: TestSuccess}
	}}, nil
}

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	APIURL string `field:"api_url"`
}

// APIURL is api_url as PrometheusClient keeps it: one trailing "/" cut;
// "" when unset. (Decode fails only for a tag the catalog entry lacks,
// which the registry's TestSettingsNamesAreInTheCatalog rules out.)
func APIURL(settings map[string]any) string {
	cfg, _ := catalog.Decode[Settings]("prometheus", settings)
	return strings.TrimSuffix(cfg.APIURL, "/")
}

// Float writes a time as Ruby's Float#to_s does for the values Time#to_f
// gives: the shortest decimal, with ".0" when it is integral.
func Float(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Error is a failed query, with GitLab's text. Query is true for a query
// error (Prometheus answered 400: the query is at fault), false for any
// other failure (PrometheusClient::Error).
type Error struct {
	Text  string
	Query bool
}

func (e *Error) Error() string { return e.Text }

// Read reads an answer of Prometheus' query API as PrometheusClient does:
// the "data" of a 200 answer whose status is "success" (nil for another
// status), or an *Error with GitLab's text. apiURL (as APIURL gives it)
// names the server in connection errors (ConnectionText).
func Read(a integration.Answer, apiURL string) (json.RawMessage, error) {
	if a.Err != nil {
		return nil, &Error{Text: ConnectionText(apiURL, a.Err)}
	}
	var body struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  *string         `json:"error"`
	}
	if a.Status == http.StatusOK || a.Status == http.StatusBadRequest {
		if json.Unmarshal(a.Body, &body) != nil {
			return nil, &Error{Text: "Parsing response failed"}
		}
	}
	switch a.Status {
	case http.StatusOK:
		if body.Status != "success" {
			return nil, nil
		}
		return body.Data, nil
	case http.StatusBadRequest:
		if body.Error != nil {
			return nil, &Error{Text: *body.Error, Query: true}
		}
		return nil, &Error{Text: "Bad data received", Query: true}
	}
	return nil, &Error{Text: strconv.Itoa(a.Status) + " - " + string(a.Body)}
}

// ConnectionText is PrometheusClient#get's text for a failed connection:
// "Connection refused" (ECONNREFUSED), "<api_url> contains invalid SSL
// data" (a TLS failure), else "Can't connect to <api_url>".
func ConnectionText(apiURL string, err error) string {
	var certErr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection refused"
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &recErr):
		return apiURL + " contains invalid SSL data"
	}
	return "Can't connect to " + apiURL
}

// ParseTime reads a time parameter as Prometheus' API does: Unix seconds
// (a float) or RFC 3339.
func ParseTime(s string) (float64, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f, true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return float64(t.UnixNano()) / 1e9, true
}
