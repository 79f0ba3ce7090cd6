package buildkite_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const (
	webhookToken = "0123456789abcdef0123456789abcdef0123456789abcdef01"
	statusToken  = "s3cr3tSt4tusT0k3n"
	token        = webhookToken + ":" + statusToken
)

var base = map[string]any{"token": token, "project_url": "https://buildkite.com/example/project", "enable_ssl_verification": true}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, buildkite.Build, integrationtest.Cases(base, "push"))
}

// TestEvents: pushes only; tag pushes, merge requests and the rest send
// nothing (12.5's supported_events is push alone).
func TestEvents(t *testing.T) {
	for _, file := range integrationtest.FixtureFiles(t) {
		reqs := integrationtest.Build(t, buildkite.Build, file, "", nil, base)
		if want := map[bool]int{true: 1}[file == "push.json"]; len(reqs) != want {
			t.Errorf("%s: %d requests, want %d", file, len(reqs), want)
		}
	}
	// Every push goes: Buildkite itself decides what to build, and the
	// push data validations are Drone's and TeamCity's, not Buildkite's.
	for name, change := range map[string]func(m map[string]any){
		"no commits":     func(m map[string]any) { m["total_commits_count"], m["commits"] = 0, []any{} },
		"branch deleted": func(m map[string]any) { m["after"] = "0000000000000000000000000000000000000000" },
	} {
		if reqs := integrationtest.Build(t, buildkite.Build, "push.json", "", change, base); len(reqs) != 1 {
			t.Errorf("%s: %d requests", name, len(reqs))
		}
	}
}

// TestToken: the webhook token is what comes before the first colon.
func TestToken(t *testing.T) {
	for _, tt := range []struct{ token, url string }{
		{"abc:def", "https://webhook.buildkite.com/deliver/abc"},
		{"abc", "https://webhook.buildkite.com/deliver/abc"},
		{"abc:", "https://webhook.buildkite.com/deliver/abc"},
		{"abc:def:ghi", "https://webhook.buildkite.com/deliver/abc"},
		{"  abc:def  ", ""}, // spaces are no path characters
		{":def", ""},
		{":", ""},
		{"a/b:def", ""},
		{"a?b:def", ""},
		{"a%2Fb:def", ""},
	} {
		reqs, err := buildkite.Build(integrationtest.Event(t, "push.json", "", nil), integrationtest.Props(base, "token", tt.token), integrationtest.Project)
		switch {
		case tt.url == "" && err == nil:
			t.Errorf("%q: accepted, %+v", tt.token, reqs)
		case tt.url != "" && (err != nil || len(reqs) != 1 || reqs[0].URL != tt.url):
			t.Errorf("%q: %+v, %v; want %s", tt.token, reqs, err, tt.url)
		}
	}
}

func TestSSLVerification(t *testing.T) {
	for _, tt := range []struct {
		value    any
		insecure bool
	}{
		{true, false}, {false, true}, {"false", true}, {"0", true}, {"true", false}, {nil, false},
	} {
		reqs := integrationtest.Build(t, buildkite.Build, "push.json", "", nil, integrationtest.Props(base, "enable_ssl_verification", tt.value))
		if len(reqs) != 1 || reqs[0].InsecureSkipVerify != tt.insecure {
			t.Errorf("enable_ssl_verification %v: %+v", tt.value, reqs)
		}
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, buildkite.Build, "buildkite: ", []string{webhookToken, statusToken, "s3cr3t/W3bh00k"},
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "token", "   "),
		integrationtest.Props(base, "token", ":"+statusToken),
		integrationtest.Props(base, "token", "s3cr3t/W3bh00k:"+statusToken),
		integrationtest.Props(base, "token", "s3cr3t/W3bh00k#"+webhookToken))
}

// TestSendToServer: Buildkite's webhook endpoint knows the pipeline by the
// token in its path and takes a JSON body. It answers 201 with the build
// id, and 404 to a token it does not know (its documented webhook answers:
// 201 {"id": ...}, 404 {"message": "... not found"}).
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Method != http.MethodPost || r.Path != "/deliver/"+webhookToken || r.Query != "" {
			return http.StatusNotFound, `{"message":"Webhook not found"}`
		}
		var body struct {
			ObjectKind string `json:"object_kind"`
			Ref        string `json:"ref"`
			After      string `json:"after"`
		}
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Gitlab-Event") != "Service Hook" ||
			json.Unmarshal(r.Body, &body) != nil || body.ObjectKind != "push" || body.Ref == "" || body.After == "" {
			return http.StatusBadRequest, `{"message":"Invalid payload"}`
		}
		return http.StatusCreated, `{"id":"f62a1b4d-10f9-4790-bc1c-e2c3a0c80983"}`
	})
	reqs := integrationtest.Build(t, buildkite.Build, "push.json", "", nil, base)
	// Buildkite's host is fixed; the path, headers and body are what is
	// checked.
	reqs[0].URL = rec.URL + strings.TrimPrefix(reqs[0].URL, "https://webhook.buildkite.com")
	if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusCreated || sent != 1 {
		t.Errorf("answer %d after %d requests", status, sent)
	}
	got := rec.Requests()
	if len(got) != 1 || got[0].Header.Get("Authorization") != "" {
		t.Fatalf("received %+v", got)
	}
	integrationtest.AssertNoSecret(t, statusToken, got[0].Path, got[0].Query, string(got[0].Body))
}
