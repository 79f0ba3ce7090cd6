package prometheus_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/prometheus"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

// standIn answers like Prometheus' HTTP API: success with data, 400 with
// a query error, 503 while not ready.
func standIn(t *testing.T, useTLS bool, got *[]string) string {
	return readbacktest.StandIn(t, useTLS, func(w http.ResponseWriter, r *http.Request) {
		*got = append(*got, r.URL.Path+"?"+r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		switch q := r.URL.Query().Get("query"); {
		case q == "unavailable":
			w.WriteHeader(503)
			w.Write([]byte("Service Unavailable"))
		case q == "redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case q == "bad(":
			w.WriteHeader(400)
			w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"parse error at char 5: unclosed left parenthesis"}`))
		case q == "bad-no-text":
			w.WriteHeader(400)
			w.Write([]byte(`{"status":"error"}`))
		case q == "garbage":
			w.Write([]byte(`<html>`))
		default:
			w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1577836800,"1"]}]}}`))
		}
	})
}

// TestQuery: requests as PrometheusClient builds them (lib/gitlab/
// prometheus_client.rb: "json_api_get('query', query: query, time:
// time.to_f)", "[api_url, 'api', 'v1', type].join('/')", api_url
// chomp('/')) and answers read as handle_querying_api_response does
// ("when 400 raise PrometheusClient::QueryError, json_data['error'] ||
// 'Bad data received'", "else raise PrometheusClient::Error,
// \"#{response_code} - #{response_body}\"").
func TestQuery(t *testing.T) {
	var got []string
	base := standIn(t, false, &got)
	settings := map[string]any{"api_url": base + "/"}
	tests := []struct {
		query string
		data  string
		err   string
		qerr  bool
	}{
		{"up", `{"resultType":"vector","result":[{"metric":{},"value":[1577836800,"1"]}]}`, "", false},
		{"bad(", "", "parse error at char 5: unclosed left parenthesis", true},
		{"bad-no-text", "", "Bad data received", true},
		{"unavailable", "", "503 - Service Unavailable", false},
		{"garbage", "", "Parsing response failed", false},
		{"redirect", "", "302 - ", false},
	}
	for _, tt := range tests {
		req, err := prometheus.Query(settings, tt.query, 1577836800.5)
		if err != nil {
			t.Fatal(err)
		}
		data, err := prometheus.Read(readbacktest.Client(t).Fetch(t.Context(), req), prometheus.APIURL(settings))
		var perr *prometheus.Error
		switch {
		case tt.err == "" && (err != nil || string(data) != tt.data):
			t.Errorf("%s: data %s, err %v", tt.query, data, err)
		case tt.err != "" && (!errors.As(err, &perr) || !strings.HasPrefix(perr.Text, tt.err) || perr.Query != tt.qerr):
			t.Errorf("%s: err %#v, want %q (query %v)", tt.query, err, tt.err, tt.qerr)
		}
	}
	if want := "/api/v1/query?query=up&time=1577836800.5"; got[0] != want {
		t.Errorf("request %s, want %s", got[0], want)
	}
}

func TestQueryRangeAndStep(t *testing.T) {
	for _, tt := range []struct {
		start, end float64
		step       int
	}{{0, 3600, 60}, {0, 8 * 3600, 60}, {0, 24 * 3600, 144}, {0, 36001, 61}, {10, 10, 60}} {
		if got := prometheus.Step(tt.start, tt.end); got != tt.step {
			t.Errorf("Step(%v, %v) = %d, want %d", tt.start, tt.end, got, tt.step)
		}
	}
	req, err := prometheus.QueryRange(map[string]any{"api_url": "https://prom.example.com"}, `rate(x{a="b c"}[5m])`, 1577808000, 1577836800, 60)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://prom.example.com/api/v1/query_range?query=rate%28x%7Ba%3D%22b%20c%22%7D%5B5m%5D%29&start=1577808000.0&end=1577836800.0&step=60"
	if req.URL != want || !req.NoRedirects || req.Method != "GET" {
		t.Errorf("request %+v\nwant %s", req, want)
	}
}

// TestTest: PrometheusService#test's texts ("Checked API endpoint") and
// PrometheusClient#get's connection texts ("Connection refused",
// "<api_url> contains invalid SSL data").
func TestTest(t *testing.T) {
	var got []string
	plain := standIn(t, false, &got)
	tlsURL := standIn(t, true, &got)
	refused := readbacktest.RefusedURL(t)
	for _, tt := range []struct {
		apiURL  string
		success bool
		result  string
	}{
		{plain, true, "Checked API endpoint"},
		{refused, false, "Connection refused"},
		{tlsURL, false, tlsURL + " contains invalid SSL data"},
	} {
		q, err := prometheus.Test(map[string]any{"api_url": tt.apiURL}, integration.Project{})
		if err != nil {
			t.Fatal(err)
		}
		res := q.Read(readbacktest.Client(t).Fetch(t.Context(), q.Request))
		if res.Success != tt.success || res.Result != tt.result {
			t.Errorf("%s: %+v, want %v %q", tt.apiURL, res, tt.success, tt.result)
		}
	}
	if got[0] != "/api/v1/query?query=1" {
		t.Errorf("ping %s", got[0])
	}
	if _, err := prometheus.Test(map[string]any{}, integration.Project{}); err == nil {
		t.Error("no api_url: no error")
	}
}
