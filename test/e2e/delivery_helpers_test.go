package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The GitLab webhook fixtures live with the event package; the Slack
// goldens with the Slack integration.
const (
	eventFixtures = "../../internal/event/testdata"
	slackGoldens  = "../../internal/integration/slack/testdata"
)

// deliveryNode starts "glint serve" with what the delivery tests need:
// sinks on 127.0.0.1 reachable, a quick queue poll, and extra flags.
func deliveryNode(t *testing.T, name, dir string, env []string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"--allow-local-requests", "--queue-poll", "50ms"}, extra...)
	p := serve(t, name, dir, env, args...)
	p.waitReady(30 * time.Second)
	return p
}

// rootToken is the token the first start printed.
func rootToken(t *testing.T, p *proc) string {
	t.Helper()
	tok := tokenRE.FindString(p.stdout.String())
	if tok == "" {
		t.Fatalf("%s: no root token on stdout: %q", p.name, p.stdout.String())
	}
	return tok
}

// projectJSON is the part of the project entity the delivery tests need.
type projectJSON struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	Path              string `json:"path"`
	PathWithNamespace string `json:"path_with_namespace"`
	NameWithNamespace string `json:"name_with_namespace"`
	DefaultBranch     string `json:"default_branch"`
	WebURL            string `json:"web_url"`
	Namespace         struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		Path     string `json:"path"`
		FullPath string `json:"full_path"`
	} `json:"namespace"`
}

func createProject(t *testing.T, p *proc, token, name string) projectJSON {
	t.Helper()
	var pj projectJSON
	call(t, "POST", p.url("/api/v4/projects"), token, url.Values{"name": {name}}, 201, &pj)
	return pj
}

// setIntakeToken makes a new intake token for the project and returns it.
func setIntakeToken(t *testing.T, p *proc, token string, projectID int64) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/intake_token", projectID)), token, nil, 200, &out)
	if out.Token == "" {
		t.Fatalf("PUT intake_token answered no token")
	}
	return out.Token
}

// slackForm is a Slack service sending every event kind to webhook.
func slackForm(webhook string) url.Values {
	f := url.Values{
		"webhook":                      {webhook},
		"channel":                      {"general"},
		"push_channel":                 {"pushes"},
		"username":                     {"glint"},
		"branches_to_be_notified":      {"all"},
		"notify_only_broken_pipelines": {"false"},
	}
	for _, flag := range []string{"push_events", "tag_push_events", "issues_events", "confidential_issues_events",
		"merge_requests_events", "note_events", "confidential_note_events", "pipeline_events", "wiki_page_events",
		"job_events", "commit_events"} {
		f.Set(flag, "true")
	}
	return f
}

// slackSettings are the resolved properties slackForm(webhook) stores.
func slackSettings(webhook string) map[string]any {
	return map[string]any{
		"webhook": webhook, "channel": "general", "push_channel": "pushes", "username": "glint",
		"branches_to_be_notified": "all", "notify_only_broken_pipelines": false,
	}
}

func putSlack(t *testing.T, p *proc, token string, projectID int64, webhook string) {
	t.Helper()
	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/slack", projectID)), token, slackForm(webhook), 200, nil)
}

// hookClient sends webhooks; its transport keeps enough idle connections
// for the concurrent senders.
var hookClient = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

// postHook sends one GitLab webhook to glint. Empty token, event or uuid
// leave the header out.
func postHook(client *http.Client, p *proc, projectID any, token, event, uuid string, body []byte) (response, error) {
	req, err := http.NewRequest("POST", p.url(fmt.Sprintf("/hooks/gitlab/%v", projectID)), bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Gitlab-Token", token)
	}
	if event != "" {
		req.Header.Set("X-Gitlab-Event", event)
	}
	if uuid != "" {
		req.Header.Set("X-Gitlab-Event-UUID", uuid)
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, body: b, header: resp.Header}, nil
}

// mustHook is postHook that requires the status want.
func mustHook(t *testing.T, p *proc, projectID any, token, event, uuid string, body []byte, want int) response {
	t.Helper()
	r, err := postHook(hookClient, p, projectID, token, event, uuid, body)
	if err != nil {
		t.Fatalf("POST hook %s (%s): %v", event, uuid, err)
	}
	if r.status != want {
		t.Fatalf("POST hook %s (%s): got %s, want %d", event, uuid, r, want)
	}
	return r
}

// fixture reads a GitLab webhook fixture.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eventFixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editJSON decodes a JSON object, lets change edit it and encodes it again.
func editJSON(t *testing.T, body []byte, change func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// goldenPayload is the decoded payload of a Slack golden file.
func goldenPayload(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(slackGoldens, name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	const start, end = "# payload, decoded\n", "\n\n# body\n"
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s.golden: no decoded payload section", name)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s[i+len(start):j]), &m); err != nil {
		t.Fatalf("%s.golden: %v", name, err)
	}
	return m
}

// deliveryJSON is the delivery entity.
type deliveryJSON struct {
	ID        int64           `json:"id"`
	Service   string          `json:"service"`
	EventID   int64           `json:"event_id"`
	EventKind string          `json:"event_kind"`
	Status    string          `json:"status"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"last_error"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
	Event     json.RawMessage `json:"event"`
	History   []attemptJSON   `json:"attempt_history"`
}

type attemptJSON struct {
	Attempt      int     `json:"attempt"`
	StartedAt    string  `json:"started_at"`
	DurationMS   float64 `json:"duration_ms"`
	StatusCode   int     `json:"status_code"`
	ResponseBody string  `json:"response_body"`
	Error        string  `json:"error"`
}

func (a attemptJSON) started(t *testing.T) time.Time {
	t.Helper()
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", a.StartedAt)
	if err != nil {
		t.Fatalf("attempt %d started_at %q: %v", a.Attempt, a.StartedAt, err)
	}
	return ts
}

func deliveriesPath(projectID int64) string {
	return fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries", projectID)
}

// listDeliveries reads every page of a project's Slack delivery log and
// returns the deliveries with the raw pages.
func listDeliveries(t *testing.T, p *proc, token string, projectID int64) ([]deliveryJSON, [][]byte) {
	t.Helper()
	var all []deliveryJSON
	var raw [][]byte
	for page := 1; ; page++ {
		var list []deliveryJSON
		r := call(t, "GET", p.url(fmt.Sprintf("%s?per_page=100&page=%d", deliveriesPath(projectID), page)), token, nil, 200, &list)
		all = append(all, list...)
		raw = append(raw, r.body)
		total, err := strconv.Atoi(r.header.Get("X-Total"))
		if err != nil {
			t.Fatalf("deliveries page %d: X-Total %q", page, r.header.Get("X-Total"))
		}
		if r.header.Get("X-Next-Page") == "" || len(list) == 0 {
			if len(all) != total {
				t.Fatalf("deliveries: %d listed, X-Total %d", len(all), total)
			}
			return all, raw
		}
	}
}

// getDelivery reads one delivery with its event and attempts.
func getDelivery(t *testing.T, p *proc, token string, projectID, id int64) (deliveryJSON, []byte) {
	t.Helper()
	var d deliveryJSON
	r := call(t, "GET", p.url(fmt.Sprintf("%s/%d", deliveriesPath(projectID), id)), token, nil, 200, &d)
	return d, r.body
}

// waitFor polls cond until it reports true, failing the test with cond's
// last words after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", timeout, what, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sinkRequest is one request a sink received.
type sinkRequest struct {
	Method      string
	Path        string
	ContentType string
	Body        []byte
	At          time.Time
}

// sink is an HTTP server on 127.0.0.1 standing in for a service. It
// records every request (its whole body read first) and answers as
// respond says for the n-th request (1-based).
type sink struct {
	URL string

	mu      sync.Mutex
	reqs    []sinkRequest
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newSink(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *sink {
	t.Helper()
	s := &sink{respond: respond}
	srv := httptest.NewServer(http.HandlerFunc(s.serve)) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("the sink is not on 127.0.0.1: %s", srv.URL)
	}
	s.URL = srv.URL
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, sinkRequest{Method: r.Method, Path: r.URL.EscapedPath(), ContentType: r.Header.Get("Content-Type"), Body: body, At: time.Now()})
	n, respond := len(s.reqs), s.respond
	s.mu.Unlock()
	if respond == nil {
		io.WriteString(w, "ok")
		return
	}
	respond(n, w, r)
}

// setRespond changes the answers to come.
func (s *sink) setRespond(respond func(n int, w http.ResponseWriter, r *http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = respond
}

func (s *sink) requests() []sinkRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkRequest(nil), s.reqs...)
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// answer writes status and body.
func answer(w http.ResponseWriter, status int, body string) {
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// slackPayload decodes the payload form field of a Slack request body.
func slackPayload(body []byte) (map[string]any, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	if len(form) != 1 || len(form["payload"]) != 1 {
		return nil, fmt.Errorf("form fields %v, want one payload", form)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(form.Get("payload")), &m); err != nil {
		return nil, err
	}
	return m, nil
}
