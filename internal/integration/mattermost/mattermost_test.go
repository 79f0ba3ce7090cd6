package mattermost_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/mattermost"
)

const webhook = "https://mattermost.example.com/hooks/s3cr3tM4tt3rm0stH00k"

var base = map[string]any{
	"webhook": webhook, "username": "glint", "channel": "town-square",
	"notify_only_broken_pipelines": false, "branches_to_be_notified": "all",
}

func TestGolden(t *testing.T) {
	failed := func(m map[string]any) { integrationtest.Attrs(m)["status"] = "failed" }
	cases := integrationtest.Cases(base, "push", "tag_push", "issue", "merge_request", "note_commit", "note_issue",
		"note_merge_request", "note_snippet", "pipeline", "wiki_page", "deployment")
	cases = append(cases, integrationtest.Case{Golden: "pipeline_failed", File: "pipeline.json", Change: failed, Settings: base})
	integrationtest.Goldens(t, mattermost.Build, cases)
}

// payload decodes the JSON of the payload form field.
func payload(t *testing.T, body []byte) map[string]any {
	t.Helper()
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	var pl map[string]any
	if err := json.Unmarshal([]byte(form.Get("payload")), &pl); err != nil {
		t.Fatalf("payload %q: %v", form.Get("payload"), err)
	}
	return pl
}

// TestChannelsAndFilters: Mattermost routes by its own <event>_channel
// properties and filters as every chat notifier.
func TestChannelsAndFilters(t *testing.T) {
	props := func(changes ...any) map[string]any { return integrationtest.Props(base, changes...) }
	branch := func(m map[string]any) { m["ref"] = "refs/heads/feature" }
	tests := []struct {
		name, file, header string
		change             func(m map[string]any)
		settings           map[string]any
		channel            string // "-": nothing sent; "": no channel key
	}{
		{"push, default channel", "push.json", "", nil, props(), "town-square"},
		{"push channel", "push.json", "", nil, props("push_channel", "commits"), "commits"},
		{"no channel", "push.json", "", nil, props("channel", nil), ""},
		{"feature branch, default branch only", "push.json", "", branch, props("branches_to_be_notified", "default"), "-"},
		{"tag push, default branch only", "tag_push.json", "", nil, props("branches_to_be_notified", "default", "tag_push_channel", "tags"), "tags"},
		{"confidential issue", "issue.json", "Confidential Issue Hook", nil, props("issue_channel", "issues", "confidential_issue_channel", "private"), "private"},
		{"confidential note falls back to note_channel", "note_issue.json", "Confidential Note Hook", nil, props("note_channel", "notes"), "notes"},
		{"merge request update", "merge_request.json", "", func(m map[string]any) { integrationtest.Attrs(m)["action"] = "update" }, props(), "-"},
		{"pipeline passed, only broken", "pipeline.json", "", nil, props("notify_only_broken_pipelines", true), "-"},
		{"deployment channel", "deployment.json", "", nil, props("deployment_channel", "deploys"), "deploys"},
		{"job", "job.json", "", nil, props(), "-"},
		{"no webhook", "push.json", "", nil, props("webhook", nil), "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := channel(t, tt.file, tt.header, tt.change, tt.settings); got != tt.channel {
				t.Errorf("channel %q, want %q", got, tt.channel)
			}
		})
	}
}

// channel is where Mattermost is told to post the event: "-" when nothing
// is sent, "" when the payload names no channel. It checks the username.
func channel(t *testing.T, file, header string, change func(m map[string]any), settings map[string]any) string {
	t.Helper()
	reqs, err := mattermost.Build(integrationtest.Event(t, file, header, change), settings, integrationtest.Project)
	switch {
	case err != nil:
		t.Fatal(err)
	case len(reqs) == 0:
		return "-"
	case len(reqs) > 1:
		t.Fatalf("%d requests", len(reqs))
	}
	pl := payload(t, reqs[0].Body)
	if pl["username"] != "glint" {
		t.Errorf("username %v", pl["username"])
	}
	c, _ := pl["channel"].(string)
	return c
}

func TestBadWebhookLeaksNothing(t *testing.T) {
	integrationtest.Refuses(t, mattermost.Build, "mattermost: the webhook is not an http(s) URL", []string{"s3cr3tM4tt3rm0stH00k"},
		integrationtest.Props(base, "webhook", "mattermost.example.com/hooks/s3cr3tM4tt3rm0stH00k"),
		integrationtest.Props(base, "webhook", "ftp://mattermost.example.com/hooks/s3cr3tM4tt3rm0stH00k"))
}

// TestSendToServer: a Mattermost incoming webhook takes a form whose
// payload is JSON with a text or attachments, and answers "ok".
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		form, err := url.ParseQuery(string(r.Body))
		var pl map[string]any
		if err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
			json.Unmarshal([]byte(form.Get("payload")), &pl) != nil || pl["text"] == nil && pl["attachments"] == nil {
			return http.StatusBadRequest, "Unable to parse incoming data"
		}
		return http.StatusOK, "ok"
	})
	for _, file := range []string{"push.json", "issue.json", "pipeline.json", "deployment.json"} {
		reqs, err := mattermost.Build(integrationtest.Event(t, file, "", nil), integrationtest.Props(base, "webhook", rec.URL+"/hooks/XXXX"), integrationtest.Project)
		if err != nil {
			t.Fatal(err)
		}
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", file, status, sent)
		}
	}
	if got := rec.Requests(); len(got) != 4 || got[0].Path != "/hooks/XXXX" {
		t.Errorf("received %+v", got)
	}
}
