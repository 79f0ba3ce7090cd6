package bamboo_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const password = "s3cr3tB4mb00"

var (
	noCreds = map[string]any{"bamboo_url": "https://bamboo.example.com/", "build_key": "PROJ-PLAN"}
	creds   = integrationtest.Props(noCreds, "username", "ci-bot", "password", password)
)

// dump is the golden form of requests: Dump, after a line saying whether
// TLS certificates are checked (Dump does not show it).
func dump(reqs ...integration.Request) []byte {
	out := []byte{}
	for _, r := range reqs {
		if r.InsecureSkipVerify {
			out = append(out, "# TLS certificate verification off\n"...)
		}
	}
	return append(append(out, '\n'), integrationtest.Dump(reqs...)...)
}

func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		name     string
		settings map[string]any
	}{
		{"push", noCreds},
		{"push_credentials", creds},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reqs := integrationtest.Build(t, bamboo.Build, "push.json", "", nil, tt.settings)
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			integrationtest.Golden(t, filepath.Join("testdata", tt.name+".golden"), dump(reqs...))
		})
	}
}

// TestRequest: the URL is joined with one slash, the key is escaped as
// ERB::Util.url_encode does, os_authType and Basic auth come with either
// credential, and certificates are never checked.
func TestRequest(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		url      string
		auth     string
	}{
		{"no slash", integrationtest.Props(noCreds, "bamboo_url", "https://bamboo.example.com"),
			"https://bamboo.example.com/updateAndBuild.action?buildKey=PROJ-PLAN", ""},
		{"many slashes, sub path", integrationtest.Props(noCreds, "bamboo_url", "http://ci.example.com/bamboo///"),
			"http://ci.example.com/bamboo/updateAndBuild.action?buildKey=PROJ-PLAN", ""},
		{"key escaped", integrationtest.Props(noCreds, "build_key", "A B&c=d/é~._-"),
			"https://bamboo.example.com/updateAndBuild.action?buildKey=A%20B%26c%3Dd%2F%C3%A9~._-", ""},
		{"credentials", creds,
			"https://bamboo.example.com/updateAndBuild.action?buildKey=PROJ-PLAN&os_authType=basic", "ci-bot:" + password},
		{"username only (password reset)", integrationtest.Props(noCreds, "username", "ci-bot"),
			"https://bamboo.example.com/updateAndBuild.action?buildKey=PROJ-PLAN&os_authType=basic", "ci-bot:"},
		{"blank credentials", integrationtest.Props(noCreds, "username", " ", "password", ""),
			"https://bamboo.example.com/updateAndBuild.action?buildKey=PROJ-PLAN", ""},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, bamboo.Build, "push.json", "", nil, tt.settings)
		if len(reqs) != 1 {
			t.Fatalf("%s: %d requests", tt.name, len(reqs))
		}
		r := reqs[0]
		if r.Method != http.MethodGet || r.URL != tt.url || len(r.Body) != 0 || !r.InsecureSkipVerify {
			t.Errorf("%s: %s %s, body %q, insecure %v; want GET %s", tt.name, r.Method, r.URL, r.Body, r.InsecureSkipVerify, tt.url)
		}
		want := ""
		if tt.auth != "" {
			want = "Basic " + base64.StdEncoding.EncodeToString([]byte(tt.auth))
		}
		if got := r.Header.Get("Authorization"); got != want {
			t.Errorf("%s: Authorization %q, want %q", tt.name, got, want)
		}
	}
}

// TestEvents: every push is taken (no filter), nothing else is, tag
// pushes included.
func TestEvents(t *testing.T) {
	blank := "0000000000000000000000000000000000000000"
	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
	}{
		{"branch deleted", func(m map[string]any) { m["after"], m["total_commits_count"], m["commits"] = blank, 0, []any{} }},
		{"new branch", func(m map[string]any) { m["before"] = blank }},
		{"no commits", func(m map[string]any) { m["total_commits_count"], m["commits"] = 0, []any{} }},
	} {
		if reqs := integrationtest.Build(t, bamboo.Build, "push.json", "", tt.change, creds); len(reqs) != 1 {
			t.Errorf("%s: %d requests", tt.name, len(reqs))
		}
	}
	for _, file := range []string{"tag_push.json", "issue.json", "merge_request.json", "note_commit.json", "note_merge_request.json",
		"pipeline.json", "wiki_page.json", "deployment.json", "job.json"} {
		if reqs := integrationtest.Build(t, bamboo.Build, file, "", nil, creds); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, bamboo.Build, "bamboo: ", []string{password},
		integrationtest.Props(creds, "bamboo_url", nil),
		integrationtest.Props(creds, "bamboo_url", "  "),
		integrationtest.Props(creds, "bamboo_url", "bamboo.example.com"),
		integrationtest.Props(creds, "bamboo_url", "ftp://bamboo.example.com"),
		integrationtest.Props(creds, "bamboo_url", "https://"),
		integrationtest.Props(creds, "bamboo_url", "https://ci-bot:"+password+"@bamboo.example.com/?x=1"),
		integrationtest.Props(creds, "bamboo_url", "https://ci-bot:"+password+"@bamboo.example.com/#"+password),
		integrationtest.Props(creds, "bamboo_url", "https://bamboo.example.com/?"),
		integrationtest.Props(creds, "bamboo_url", "https://bamboo.example.com/\n"+password),
		integrationtest.Props(creds, "build_key", nil),
		integrationtest.Props(creds, "build_key", 42))
}

// TestSendToServer: Bamboo's updateAndBuild.action wants a buildKey and,
// when GitLab sends credentials, os_authType=basic with matching Basic
// auth; it answers 200 with an XML <response>.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		q, err := url.ParseQuery(r.Query)
		if r.Method != http.MethodGet || r.Path != "/bamboo/updateAndBuild.action" || err != nil {
			return http.StatusNotFound, ""
		}
		if q.Get("os_authType") == "basic" || r.Header.Get("Authorization") != "" {
			user, pass, ok := basicAuth(r.Header.Get("Authorization"))
			if q.Get("os_authType") != "basic" || !ok || user != "ci-bot" || pass != password {
				return http.StatusUnauthorized, "<status><status-code>401</status-code><message>Unauthorized</message></status>"
			}
		}
		if q.Get("buildKey") != "PROJ-PLAN" {
			return http.StatusBadRequest, "<response><error>Plan not found</error></response>"
		}
		return http.StatusOK, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><success>true</success></response>`
	})
	for _, settings := range []map[string]any{noCreds, creds} {
		// The recorder speaks plain HTTP: InsecureSkipVerify has no
		// effect on it, but is checked by TestRequest.
		reqs := integrationtest.Build(t, bamboo.Build, "push.json", "", nil, integrationtest.Props(settings, "bamboo_url", rec.URL+"/bamboo/"))
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("settings %v: answer %d after %d requests", settings, status, sent)
		}
	}
	// Wrong credentials are what Bamboo refuses.
	reqs := integrationtest.Build(t, bamboo.Build, "push.json", "", nil,
		integrationtest.Props(creds, "bamboo_url", rec.URL+"/bamboo", "password", "wrong"))
	if status, _ := integrationtest.SendAll(t, reqs); status != http.StatusUnauthorized {
		t.Errorf("wrong password: answer %d", status)
	}
	if got := rec.Requests(); len(got) != 3 || got[1].Query != "buildKey=PROJ-PLAN&os_authType=basic" {
		t.Errorf("received %+v", got)
	}
}

func basicAuth(h string) (user, pass string, ok bool) {
	r := http.Request{Header: http.Header{"Authorization": {h}}}
	return r.BasicAuth()
}
