package msteams_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/msteams"
)

const webhook = "https://outlook.office.com/webhook/1234@5678/IncomingWebhook/s3cr3tT34msK3y/9abc"

var base = map[string]any{"webhook": webhook, "notify_only_broken_pipelines": false, "branches_to_be_notified": "all"}

func TestGolden(t *testing.T) {
	cases := integrationtest.Cases(base, "push", "tag_push", "issue", "merge_request", "note_commit", "note_issue",
		"note_merge_request", "note_snippet", "pipeline", "wiki_page")
	cases = append(cases, integrationtest.Case{Golden: "confidential_issue", File: "issue.json", Header: "Confidential Issue Hook",
		Change: func(m map[string]any) {
			integrationtest.Attrs(m)["action"] = "close"
			integrationtest.Attrs(m)["state"] = "closed"
		},
		Settings: base})
	integrationtest.Goldens(t, msteams.Build, cases)
}

// TestEventsAndFilters: Teams takes no deployments, and filters as every
// chat notifier; channel settings mean nothing to it.
func TestEventsAndFilters(t *testing.T) {
	props := func(changes ...any) map[string]any { return integrationtest.Props(base, changes...) }
	failed := func(m map[string]any) { integrationtest.Attrs(m)["status"] = "failed" }
	tests := []struct {
		name, file, header string
		change             func(m map[string]any)
		settings           map[string]any
		sent               bool
	}{
		{"deployment", "deployment.json", "", nil, props(), false},
		{"job", "job.json", "", nil, props(), false},
		{"issue update", "issue.json", "", func(m map[string]any) { integrationtest.Attrs(m)["action"] = "update" }, props(), false},
		{"confidential note", "note_issue.json", "Confidential Note Hook", nil, props("confidential_note_channel", "x"), true},
		{"pipeline passed, unset means only broken", "pipeline.json", "", nil, props("notify_only_broken_pipelines", nil), false},
		{"pipeline failed, only broken", "pipeline.json", "", failed, props("notify_only_broken_pipelines", true), true},
		{"push to another branch, unset means default", "push.json", "", func(m map[string]any) { m["ref"] = "refs/heads/x" },
			props("branches_to_be_notified", nil), false},
		{"wiki page", "wiki_page.json", "", nil, props(), true},
		{"blank webhook", "push.json", "", nil, props("webhook", "  "), false},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, msteams.Build, tt.file, tt.header, tt.change, tt.settings)
		if got := len(reqs) == 1; got != tt.sent || len(reqs) > 1 {
			t.Errorf("%s: %d requests, want sent=%v", tt.name, len(reqs), tt.sent)
		}
	}
}

// TestCard: the Details section comes only with non-blank attachments,
// and a pipeline's summary is its text.
func TestCard(t *testing.T) {
	decode := func(m *chatmsg.Message) map[string]any {
		b, err := json.Marshal(msteams.Card(m))
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := decode(&chatmsg.Message{Pretext: "p", AttachmentText: " \n", ProjectName: "g/p"})
	if len(c["sections"].([]any)) != 1 || c["summary"] != "p" || c["title"] != "g/p" {
		t.Errorf("card %v", c)
	}
	c = decode(&chatmsg.Message{Fallback: "[g/p](u): Pipeline", HasFallback: true, AttachmentText: "[g/p](u): Pipeline"})
	if len(c["sections"].([]any)) != 2 || c["summary"] != "[g/p](u): Pipeline" {
		t.Errorf("card %v", c)
	}
}

func TestBadWebhookLeaksNothing(t *testing.T) {
	integrationtest.Refuses(t, msteams.Build, "microsoft teams: the webhook is not an http(s) URL", []string{"s3cr3tT34msK3y"},
		integrationtest.Props(base, "webhook", "outlook.office.com/webhook/s3cr3tT34msK3y"))
}

// TestSendToServer: a Teams incoming webhook takes a JSON card with a
// summary or a text (it answers 400 "Summary or Text is required."
// otherwise), and answers 200 "1".
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		var c map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &c) != nil {
			return http.StatusBadRequest, "Invalid webhook request"
		}
		if s, _ := c["summary"].(string); s == "" {
			if s, _ = c["text"].(string); s == "" {
				return http.StatusBadRequest, "Summary or Text is required."
			}
		}
		return http.StatusOK, "1"
	})
	hook := integrationtest.Props(base, "webhook", rec.URL+"/webhook/a@b/IncomingWebhook/XXXX/c")
	for _, name := range []string{"push", "issue", "merge_request", "note_commit", "pipeline", "wiki_page"} {
		reqs := integrationtest.Build(t, msteams.Build, name+".json", "", nil, hook)
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", name, status, sent)
		}
	}
}
