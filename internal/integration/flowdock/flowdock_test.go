package flowdock_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/flowdock"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const token = "s3cr3tFl0wT0k3n"

var base = map[string]any{"token": token}

func feature(m map[string]any) { m["ref"] = "refs/heads/feature" }

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, flowdock.Build, []integrationtest.Case{
		{Golden: "push", File: "push.json", Settings: base, Requests: 2},
		{Golden: "push_feature", File: "push.json", Change: feature, Settings: base, Requests: 2},
	})
}

// messages decodes the messages built for a push.
func messages(t *testing.T, change func(m map[string]any)) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range integrationtest.Build(t, flowdock.Build, "push.json", "", change, base) {
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestThreads(t *testing.T) {
	master := messages(t, nil)
	id := master[0]["external_thread_id"].(string)
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || master[1]["external_thread_id"] != id {
		t.Errorf("permanent ref: thread ids %q, %q", id, master[1]["external_thread_id"])
	}
	if title := master[0]["thread"].(map[string]any)["title"]; title != "branch master updated" {
		t.Errorf("thread title %q", title)
	}
	again := messages(t, func(m map[string]any) { m["after"] = "1111111111111111111111111111111111111111" })
	if again[0]["external_thread_id"] == id {
		t.Error("another push to master shares the thread")
	}
	// The pattern matches anywhere, as a Ruby Regexp does.
	if got := messages(t, func(m map[string]any) { m["ref"] = "refs/heads/master-old" })[0]; got["external_thread_id"] == "refs/heads/master-old" {
		t.Errorf("refs/heads/master-old is permanent: %v", got["external_thread_id"])
	}
	if got := messages(t, feature)[0]; got["external_thread_id"] != "refs/heads/feature" || got["thread"].(map[string]any)["title"] != "branch feature" {
		t.Errorf("feature: %v", got)
	}
}

func TestCommitMessages(t *testing.T) {
	tests := []struct {
		msg, title string
		body       any
	}{
		{"fix", "fix", nil},
		{"  a <b> & \"c\" 'd'  \n\n  body\nmore  \n", "a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", "<pre>body\nmore</pre>"},
		{"\nbody first", "", "<pre>body first</pre>"},
		{"title\n \n", "title", nil},
	}
	for _, tt := range tests {
		got := messages(t, func(m map[string]any) {
			m["commits"] = []any{map[string]any{"id": "0123456789", "message": tt.msg, "author": map[string]any{"name": "A", "email": "a@x"}}}
		})
		want := `<a href="https://glint.example.com/gitlab-org/gitlab-test/commit/0123456789">0123456</a> ` + tt.title
		if len(got) != 1 || got[0]["title"] != want || got[0]["body"] != tt.body {
			t.Errorf("%q: %v", tt.msg, got)
		}
	}
}

func TestEvents(t *testing.T) {
	noCommits := func(m map[string]any) { m["commits"] = []any{} }
	for _, tt := range []struct {
		file   string
		change func(m map[string]any)
	}{
		{"tag_push.json", nil}, {"push.json", noCommits}, {"issue.json", nil}, {"pipeline.json", nil}, {"note_commit.json", nil},
	} {
		if reqs := integrationtest.Build(t, flowdock.Build, tt.file, "", tt.change, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", tt.file, len(reqs))
		}
	}
	_, err := flowdock.Build(integrationtest.Event(t, "push.json", "", nil), map[string]any{"token": ""}, integrationtest.Project)
	if err == nil {
		t.Error("no token accepted")
	}
}

// TestSendToServer: Flowdock wants a JSON thread message with a known
// flow token, an event and a title, and answers 201 with the message.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		var m map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &m) != nil {
			return http.StatusBadRequest, `{"message":"Validation error"}`
		}
		if m["flow_token"] != token {
			return http.StatusNotFound, `{"message":"Flow not found"}`
		}
		if m["event"] != "activity" || m["title"] == "" || m["external_thread_id"] == "" || m["thread"] == nil {
			return http.StatusBadRequest, `{"message":"Validation error"}`
		}
		return http.StatusCreated, `{"id":1}`
	})
	reqs := integrationtest.Build(t, flowdock.Build, "push.json", "", nil, base)
	for i := range reqs {
		reqs[i].URL = rec.URL + "/v1/messages"
	}
	if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusCreated || sent != 2 {
		t.Errorf("answer %d after %d requests", status, sent)
	}
	for _, r := range rec.Requests() {
		if r.Query != "" || r.Header.Get("Authorization") != "" {
			t.Errorf("the token travels outside the body: %+v", r)
		}
	}
}
