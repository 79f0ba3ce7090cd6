package hipchat_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/hipchat"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const token = "s3cr3tH1pT0k3n"

var (
	base = map[string]any{"token": token, "room": "Dev Room", "color": "purple", "notify": true, "notify_only_broken_pipelines": false}
	// v1 is GitLab's spec's service: its own server, a numeric room.
	v1 = integrationtest.Props(base, "api_version", "v1", "server", "https://hipchat.example.com", "room", "123456", "notify", nil)
)

func TestGolden(t *testing.T) {
	cases := integrationtest.Cases(base, "push", "tag_push", "issue", "merge_request", "note_commit", "note_issue",
		"note_merge_request", "note_snippet", "pipeline")
	cases = append(cases,
		integrationtest.Case{Golden: "pipeline_failed", File: "pipeline.json", Settings: base,
			Change: func(m map[string]any) { integrationtest.Attrs(m)["status"] = "failed"; m["user"] = nil }},
		integrationtest.Case{Golden: "push_v1", File: "push.json", Settings: v1},
		integrationtest.Case{Golden: "confidential_note_v1", File: "note_issue.json", Header: "Confidential Note Hook", Settings: v1},
	)
	integrationtest.Goldens(t, hipchat.Build, cases)
}

// v2 decodes the one v2 request built for a fixture; nil when none.
func v2(t *testing.T, file string, change func(m map[string]any), settings map[string]any) (u *url.URL, body map[string]any) {
	t.Helper()
	reqs := integrationtest.Build(t, hipchat.Build, file, "", change, settings)
	if len(reqs) == 0 {
		return nil, nil
	}
	u, err := url.Parse(reqs[0].URL)
	if err != nil || len(reqs) != 1 || json.Unmarshal(reqs[0].Body, &body) != nil {
		t.Fatalf("%d requests: %s %s (%v)", len(reqs), reqs[0].URL, reqs[0].Body, err)
	}
	return u, body
}

func TestEvents(t *testing.T) {
	status := func(s string) func(m map[string]any) {
		return func(m map[string]any) { integrationtest.Attrs(m)["status"] = s }
	}
	tests := []struct {
		name, file string
		change     func(m map[string]any)
		settings   map[string]any
		color      string // "" for nothing sent
	}{
		{"push to any branch (no branch filter)", "push.json", func(m map[string]any) { m["ref"] = "refs/heads/feature" }, base, "purple"},
		{"default colour", "issue.json", nil, integrationtest.Props(base, "color", nil), "yellow"},
		{"issue update", "issue.json", func(m map[string]any) { integrationtest.Attrs(m)["action"] = "update" }, base, ""},
		{"merge request update", "merge_request.json", func(m map[string]any) { integrationtest.Attrs(m)["action"] = "update" }, base, ""},
		{"pipeline passed", "pipeline.json", nil, base, "green"},
		{"pipeline passed, only broken by default", "pipeline.json", nil, integrationtest.Props(base, "notify_only_broken_pipelines", nil), ""},
		{"pipeline failed, only broken", "pipeline.json", status("failed"), integrationtest.Props(base, "notify_only_broken_pipelines", true), "red"},
		{"pipeline canceled", "pipeline.json", status("canceled"), base, ""},
		{"wiki page", "wiki_page.json", nil, base, ""},
		{"deployment", "deployment.json", nil, base, ""},
		{"job", "job.json", nil, base, ""},
	}
	for _, tt := range tests {
		_, body := v2(t, tt.file, tt.change, tt.settings)
		if got, _ := body["color"].(string); got != tt.color {
			t.Errorf("%s: colour %q, want %q", tt.name, got, tt.color)
		}
	}
}

func TestRequest(t *testing.T) {
	u, body := v2(t, "issue.json", nil, integrationtest.Props(base, "room", "a/b#c d%", "notify", "false"))
	if got := u.EscapedPath(); got != "/v2/room/a/b%23c%20d%25/notification" || u.Host != "api.hipchat.com" || u.RawQuery != "auth_token="+token {
		t.Errorf("URL %s", u)
	}
	if body["room_id"] != "a/b#c d%" || body["notify"] != false || body["from"] != "GitLab" || body["message_format"] != "html" {
		t.Errorf("body %v", body)
	}
	u, _ = v2(t, "issue.json", nil, integrationtest.Props(base, "api_version", "v2", "server", "http://chat.internal:8080"))
	if u.String() != "http://chat.internal:8080/v2/room/Dev%20Room/notification?auth_token="+token {
		t.Errorf("URL %s", u)
	}
}

// TestMessage: texts the fixtures do not show.
func TestMessage(t *testing.T) {
	commit := func(id, msg string) map[string]any {
		return map[string]any{"id": id, "message": msg, "url": "http://x/commit/" + id, "author": map[string]any{"name": "A"}}
	}
	long := strings.Repeat("word ", 50)
	tests := []struct {
		name, file string
		change     func(m map[string]any)
		want       string
	}{
		{"new tag", "tag_push.json", nil,
			`John Smith pushed new tag <a href="https://glint.example.com/gitlab-org/gitlab-test/commits/v1.0.0">v1.0.0</a> to ` +
				`<a href="https://glint.example.com/gitlab-org/gitlab-test">GitlabOrg/GitlabTest</a>` + "\n"},
		{"removed branch", "push.json", func(m map[string]any) { m["after"] = "0000000000000000000000000000000000000000" },
			`John Smith removed branch <b>master</b> from <a href="https://glint.example.com/gitlab-org/gitlab-test">GitlabOrg/GitlabTest</a> ` + "\n"},
		{"four commits, a slash and escapes", "push.json", func(m map[string]any) {
			m["ref"] = "refs/heads/fix/a b"
			m["commits"] = []any{commit("1234567890", "a <b> & c\nmore"), commit("2", long), commit("3", "c"), commit("4", "d")}
		}, `John Smith pushed to branch <a href="https://glint.example.com/gitlab-org/gitlab-test/commits/fix%2Fa+b">fix/a b</a> of ` +
			`<a href="https://glint.example.com/gitlab-org/gitlab-test">GitlabOrg/GitlabTest</a> ` +
			`(<a href="https://glint.example.com/gitlab-org/gitlab-test/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7">Compare changes</a>)` +
			`<br /> - a &lt;b&gt; &amp; c (<a href="http://x/commit/1234567890">123456</a>)` +
			`<br /> - ` + strings.Repeat("word ", 38) + `word... (<a href="http://x/commit/2">2</a>)` +
			`<br /> - c (<a href="http://x/commit/3">3</a>)<br />... 1 more commits`},
		{"issue with a multi-line description", "issue.json", func(m map[string]any) {
			integrationtest.Attrs(m)["description"] = "line 1\nline <2>\n\npara 2\n"
		}, `Administrator opened <a href="http://example.com/diaspora/issues/23">issue #23</a> in ` +
			`<a href="https://glint.example.com/gitlab-org/gitlab-test">GitlabOrg/GitlabTest</a>: <b>New API: create/update/delete file</b>` +
			"<pre>line 1<br>\nline &lt;2&gt;\npara 2</pre>"},
		{"pipeline without a duration", "pipeline.json", func(m map[string]any) {
			integrationtest.Attrs(m)["duration"] = nil
			integrationtest.Attrs(m)["tag"] = true
		},
			`<a href="https://glint.example.com/gitlab-org/gitlab-test">GitlabOrg/GitlabTest</a>: Pipeline ` +
				`<a href="https://glint.example.com/gitlab-org/gitlab-test/pipelines/31">#31</a> of ` +
				`<a href="https://glint.example.com/gitlab-org/gitlab-test/commits/master">master</a> tag by Administrator passed in  second(s)`},
	}
	for _, tt := range tests {
		_, body := v2(t, tt.file, tt.change, base)
		if body["message"] != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, body["message"], tt.want)
		}
	}
}

func TestErrorsLeakNoToken(t *testing.T) {
	integrationtest.Refuses(t, hipchat.Build, "hipchat: ", []string{token},
		integrationtest.Props(base, "api_version", "v3"),
		integrationtest.Props(base, "server", "hipchat.example.com/"+token),
		integrationtest.Props(base, "token", " "))
}

// TestSendToServer: HipChat answers 401 without the room token in
// auth_token, 400 for a body it cannot read, and 204 (v2) or 200 (v1)
// when the message is posted.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		q, err := url.ParseQuery(r.Query)
		if err != nil || q.Get("auth_token") != token || r.Header.Get("Authorization") != "" {
			return http.StatusUnauthorized, `{"error":{"code":401,"message":"Invalid OAuth session"}}`
		}
		switch {
		case r.Path == "/v2/room/Dev%20Room/notification":
			var m map[string]any
			if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &m) != nil || m["message"] == "" || m["message_format"] != "html" {
				return http.StatusBadRequest, `{"error":{"code":400}}`
			}
			return http.StatusNoContent, ""
		case r.Path == "/v1/rooms/message":
			f, err := url.ParseQuery(string(r.Body))
			if err != nil || f.Get("room_id") != "123456" || f.Get("message") == "" || f.Get("from") != "GitLab" {
				return http.StatusBadRequest, `{"error":{"code":400}}`
			}
			return http.StatusOK, `{"status":"sent"}`
		}
		return http.StatusNotFound, `{"error":{"code":404,"message":"Room not found"}}`
	})
	for _, tt := range []struct {
		settings map[string]any
		status   int
	}{
		{integrationtest.Props(base, "server", rec.URL), http.StatusNoContent},
		{integrationtest.Props(v1, "server", rec.URL), http.StatusOK},
		{integrationtest.Props(base, "server", rec.URL, "token", "wrong"), http.StatusUnauthorized},
	} {
		for _, file := range []string{"push.json", "merge_request.json", "note_commit.json"} {
			reqs := integrationtest.Build(t, hipchat.Build, file, "", nil, tt.settings)
			if status, sent := integrationtest.SendAll(t, reqs); status != tt.status || sent != 1 {
				t.Errorf("%s: answer %d after %d requests, want %d", file, status, sent, tt.status)
			}
		}
	}
}
