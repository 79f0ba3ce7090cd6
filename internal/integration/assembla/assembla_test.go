package assembla_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/assembla"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const token = "s3cr3tAssembl4"

var base = map[string]any{"token": token, "subdomain": "project_name"}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, assembla.Build, integrationtest.Cases(base, "push"))
}

// TestPayload: the body is {"payload":<the webhook body>}, the body
// embedded byte for byte, whatever its layout.
func TestPayload(t *testing.T) {
	_, raw := integrationtest.Fixture(t, "push.json")
	ev := integrationtest.Event(t, "push.json", "", nil)
	reqs, err := assembla.Build(ev, base, integrationtest.Project)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("%d requests, %v", len(reqs), err)
	}
	want := append(append([]byte(`{"payload":`), raw...), '}')
	if !bytes.Equal(reqs[0].Body, want) {
		t.Errorf("body\n%s\nwant\n%s", reqs[0].Body, want)
	}
	if !json.Valid(reqs[0].Body) {
		t.Error("the body is not JSON")
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.URL != "https://atlas.assembla.com/spaces/project_name/github_tool?secret_key="+token ||
		r.Header.Get("Content-Type") != "application/json" || len(r.Header) != 1 || r.Then != nil || r.InsecureSkipVerify {
		t.Errorf("request %+v", r)
	}
}

// TestURL: the settings go into the URL unescaped, as GitLab interpolates
// them; a blank subdomain leaves an empty path segment, as in GitLab.
func TestURL(t *testing.T) {
	tests := []struct {
		subdomain any
		token     string
		want      string
	}{
		{"project_name", "abc", "https://atlas.assembla.com/spaces/project_name/github_tool?secret_key=abc"},
		{nil, "abc", "https://atlas.assembla.com/spaces//github_tool?secret_key=abc"},
		{"", "abc", "https://atlas.assembla.com/spaces//github_tool?secret_key=abc"},
		{"my-space.v2~x", "a+b=c", "https://atlas.assembla.com/spaces/my-space.v2~x/github_tool?secret_key=a+b=c"},
		{"a%2Fb", "t%20k", "https://atlas.assembla.com/spaces/a%2Fb/github_tool?secret_key=t%20k"},
		{"...", "x", "https://atlas.assembla.com/spaces/.../github_tool?secret_key=x"},
	}
	for _, tt := range tests {
		got, err := assembla.URL(integrationtest.Props(map[string]any{"token": tt.token}, "subdomain", tt.subdomain))
		if err != nil || got != tt.want {
			t.Errorf("subdomain %q, token %q: %q, %v; want %q", tt.subdomain, tt.token, got, err, tt.want)
		}
	}
}

func TestEvents(t *testing.T) {
	for _, file := range integrationtest.FixtureFiles(t) {
		if file == "push.json" {
			continue
		}
		if reqs := integrationtest.Build(t, assembla.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
	// A push without commits (a branch deleted, say) is still a push.
	empty := func(m map[string]any) { m["commits"], m["after"] = []any{}, "0000000000000000000000000000000000000000" }
	if reqs := integrationtest.Build(t, assembla.Build, "push.json", "", empty, base); len(reqs) != 1 {
		t.Errorf("push without commits: %d requests", len(reqs))
	}
}

func TestSettingErrors(t *testing.T) {
	secrets := []string{token}
	settings := []map[string]any{
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "token", "  "),
	}
	for _, bad := range []string{"/", "?", "#", "&", " ", "\t", "\n", "\x00", "\x7f", "é", `"`, "<", "\\", "%", "%4", "%zz", "[", "|"} {
		tok := token + bad + "x"
		secrets = append(secrets, tok)
		settings = append(settings,
			integrationtest.Props(base, "token", tok),
			integrationtest.Props(base, "subdomain", "space"+bad+token))
	}
	settings = append(settings,
		integrationtest.Props(base, "subdomain", "   "),
		integrationtest.Props(base, "subdomain", "."),
		integrationtest.Props(base, "subdomain", ".."),
		integrationtest.Props(base, "subdomain", "evil.example/"+token+"#"))
	integrationtest.Refuses(t, assembla.Build, "assembla: ", secrets, settings...)
}

// TestSendToServer: Assembla wants the secret key in the query and a JSON
// object with a payload object, and answers 200.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Method != http.MethodPost || r.Path != "/spaces/project_name/github_tool" {
			return http.StatusNotFound, ""
		}
		q, err := url.ParseQuery(r.Query)
		if err != nil || q.Get("secret_key") != token {
			return http.StatusUnauthorized, ""
		}
		var body struct {
			Payload map[string]any `json:"payload"`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil || body.Payload == nil ||
			body.Payload["object_kind"] != "push" {
			return http.StatusBadRequest, ""
		}
		return http.StatusOK, ""
	})
	reqs := integrationtest.Build(t, assembla.Build, "push.json", "", nil, base)
	// Assembla's host is fixed: the path, query, headers and body are what
	// is checked.
	reqs[0].URL = rec.URL + strings.TrimPrefix(reqs[0].URL, "https://atlas.assembla.com")
	if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
		t.Errorf("answer %d after %d requests", status, sent)
	}
	// The same server refuses a request without the key.
	reqs[0].URL = strings.TrimSuffix(reqs[0].URL, token)
	if status, _ := integrationtest.SendAll(t, reqs); status != http.StatusUnauthorized {
		t.Errorf("without the key: %d", status)
	}
}
