package hangoutschat_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/integration/hangoutschat"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

// base are the settings of a Hangouts Chat service: its webhook holds a
// key and a token.
var base = map[string]any{
	"webhook":                      "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=s3cr3tK3y&token=s3cr3tT0k3n",
	"notify_only_broken_pipelines": false,
	"branches_to_be_notified":      "all",
}

func TestGolden(t *testing.T) {
	cases := integrationtest.Cases(base, "push", "tag_push", "issue", "merge_request", "note_commit", "note_issue",
		"note_merge_request", "note_snippet", "pipeline", "wiki_page")
	integrationtest.Goldens(t, hangoutschat.Build, cases)
}

// text is the text Hangouts Chat is sent for a fixture, "-" for nothing.
func text(t *testing.T, file, header string, change func(m map[string]any), settings map[string]any) string {
	t.Helper()
	reqs := integrationtest.Build(t, hangoutschat.Build, file, header, change, settings)
	if len(reqs) == 0 {
		return "-"
	}
	var body map[string]string
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil || len(reqs) != 1 || len(body) != 1 {
		t.Fatalf("%d requests, body %s (%v)", len(reqs), reqs[0].Body, err)
	}
	return body["text"]
}

func TestTextAndFilters(t *testing.T) {
	props := func(changes ...any) map[string]any { return integrationtest.Props(base, changes...) }
	gt := "http://example.com/gitlabhq/gitlab-test"
	tests := []struct {
		name, file, header string
		change             func(m map[string]any)
		settings           map[string]any
		want               string
	}{
		{"issue opened: title link and description", "issue.json", "", nil, props(),
			"[<" + gt + "|gitlabhq/gitlab-test>] Issue <http://example.com/diaspora/issues/23|#23 New API: create/update/delete file> opened by Administrator (root)\n" +
				"<http://example.com/diaspora/issues/23|#23 New API: create/update/delete file>\nCreate new API for manipulations with repository"},
		{"issue closed: the text alone", "issue.json", "", func(m map[string]any) {
			integrationtest.Attrs(m)["action"], integrationtest.Attrs(m)["state"] = "close", "closed"
		}, props(), "[<" + gt + "|gitlabhq/gitlab-test>] Issue <http://example.com/diaspora/issues/23|#23 New API: create/update/delete file> closed by Administrator (root)"},
		{"new branch: no attachment", "push.json", "", func(m map[string]any) { m["before"] = "0000000000000000000000000000000000000000" }, props(),
			"John Smith pushed new branch <http://example.com/mike/diaspora/commits/master|master> to <http://example.com/mike/diaspora|mike/diaspora>"},
		{"deployment", "deployment.json", "", nil, props(), "-"},
		{"pipeline running", "pipeline.json", "", func(m map[string]any) { integrationtest.Attrs(m)["status"] = "running" }, props(), "-"},
		{"push to protected branch only", "push.json", "", func(m map[string]any) { m["ref"] = "refs/heads/feature" }, props("branches_to_be_notified", "protected"), "-"},
		{"merge request update", "merge_request.json", "", func(m map[string]any) { integrationtest.Attrs(m)["action"] = "update" }, props(), "-"},
	}
	for _, tt := range tests {
		if got := text(t, tt.file, tt.header, tt.change, tt.settings); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestText: the parts are joined by line breaks; a pipeline's empty
// header leaves a leading one; a title without a link stands as it is.
func TestText(t *testing.T) {
	tests := []struct {
		m    chatmsg.Message
		want string
	}{
		{chatmsg.Message{Pretext: "[a](http://a)"}, "<http://a|a>"},
		{chatmsg.Message{Attachments: []chatmsg.Attachment{{Text: "[p](https://p) failed"}, {Text: "second"}}}, "\n<https://p|p> failed"},
		{chatmsg.Message{Pretext: "h", Attachments: []chatmsg.Attachment{{Title: "t", Text: "b"}}}, "h\nt\nb"},
	}
	for _, tt := range tests {
		if got := hangoutschat.Text(&tt.m); got != tt.want {
			t.Errorf("Text(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestBadWebhookLeaksNothing(t *testing.T) {
	integrationtest.Refuses(t, hangoutschat.Build, "hangouts chat: the webhook is not an http(s) URL", []string{"s3cr3tK3y", "s3cr3tT0k3n"},
		integrationtest.Props(base, "webhook", "chat.googleapis.com/v1/spaces/AAAA/messages?key=s3cr3tK3y&token=s3cr3tT0k3n"),
		integrationtest.Props(base, "webhook", "https://chat.googleapis.com/v1/%zz?key=s3cr3tK3y&token=s3cr3tT0k3n"))
}

// TestSendToServer: a Hangouts Chat webhook takes a JSON message with a
// text, its key and token in the query, and answers with the message.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		var m map[string]any
		if r.Query != "key=K&token=T" {
			return http.StatusUnauthorized, `{"error":{"code":401}}`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &m) != nil || m["text"] == nil || m["text"] == "" {
			return http.StatusBadRequest, `{"error":{"code":400,"message":"Message cannot be empty."}}`
		}
		return http.StatusOK, `{"name":"spaces/AAAA/messages/1"}`
	})
	hook := integrationtest.Props(base, "webhook", rec.URL+"/v1/spaces/AAAA/messages?key=K&token=T")
	for _, name := range []string{"push", "issue", "note_snippet", "pipeline", "wiki_page"} {
		reqs := integrationtest.Build(t, hangoutschat.Build, name+".json", "", nil, hook)
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", name, status, sent)
		}
	}
}
