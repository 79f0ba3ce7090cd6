package slack_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/slack"
)

const webhook = "https://hooks.slack.com/services/T0000/B0000/s3cr3tW3bh00kT0k3n"

var project = integrationtest.Project

// parse reads a fixture, lets change edit its JSON, and parses it under
// header (the fixture's own when "").
func parse(t testing.TB, file, header string, change func(m map[string]any)) *event.Event {
	t.Helper()
	return integrationtest.Event(t, file, header, change)
}

func attrs(m map[string]any) map[string]any { return m["object_attributes"].(map[string]any) }

// settings are a Slack service's resolved properties, with changes.
func settings(changes ...any) map[string]any {
	s := map[string]any{
		"webhook": webhook, "username": "glint", "channel": "general",
		"notify_only_broken_pipelines": false, "branches_to_be_notified": "all",
	}
	for i := 0; i < len(changes); i += 2 {
		s[changes[i].(string)] = changes[i+1]
	}
	return s
}

// payloadOf decodes the payload form field of a request body.
func payloadOf(t testing.TB, body []byte) []byte {
	t.Helper()
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(form) != 1 || len(form["payload"]) != 1 {
		t.Fatalf("form fields %v, want one payload", form)
	}
	return []byte(form["payload"][0])
}

func TestGolden(t *testing.T) {
	tests := []struct {
		golden, file string
		change       func(m map[string]any)
	}{
		{"push", "push.json", nil},
		{"tag_push", "tag_push.json", nil},
		{"issue", "issue.json", nil},
		{"merge_request", "merge_request.json", nil},
		{"note_commit", "note_commit.json", nil},
		{"note_issue", "note_issue.json", nil},
		{"note_merge_request", "note_merge_request.json", nil},
		{"note_snippet", "note_snippet.json", nil},
		{"pipeline", "pipeline.json", nil},
		{"pipeline_failed", "pipeline.json", func(m map[string]any) { attrs(m)["status"] = "failed"; attrs(m)["duration"] = 4000 }},
		{"wiki_page", "wiki_page.json", nil},
		{"deployment", "deployment.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			reqs, err := slack.Build(parse(t, tt.file, "", tt.change), settings(), project)
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPost || r.URL != webhook || r.InsecureSkipVerify {
				t.Errorf("request %s %s (skip verify %v)", r.Method, r.URL, r.InsecureSkipVerify)
			}
			if len(r.Header) != 1 || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("headers %v", r.Header)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, payloadOf(t, r.Body), "", "  "); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			fmt.Fprintf(&out, "%s %s\nContent-Type: %s\n\n# payload, decoded\n%s\n\n# body\n%s\n",
				r.Method, r.URL, r.Header.Get("Content-Type"), pretty.Bytes(), r.Body)
			integrationtest.Golden(t, filepath.Join("testdata", tt.golden+".golden"), out.Bytes())
		})
	}
}

func TestRoutingAndFilters(t *testing.T) {
	confidential := func(m map[string]any) { attrs(m)["confidential"] = true }
	branch := func(name string) func(m map[string]any) {
		return func(m map[string]any) { m["ref"] = "refs/heads/" + name }
	}
	status := func(s string) func(m map[string]any) {
		return func(m map[string]any) { attrs(m)["status"] = s }
	}
	tests := []struct {
		name, file, header string
		change             func(m map[string]any)
		settings           map[string]any
		channel            string // "-" for no request
	}{
		{"push to default branch", "push.json", "", nil, settings("branches_to_be_notified", "default"), "general"},
		{"push to other branch, default only", "push.json", "", branch("feature"), settings("branches_to_be_notified", "default"), "-"},
		{"push to other branch, unset means default", "push.json", "", branch("feature"), settings("branches_to_be_notified", nil), "-"},
		{"push to other branch, all", "push.json", "", branch("feature"), settings(), "general"},
		{"push to protected branch", "push.json", "", branch("stable"), settings("branches_to_be_notified", "protected"), "-"},
		{"push to default branch, protected only", "push.json", "", nil, settings("branches_to_be_notified", "protected"), "general"},
		{"tag push, default only", "tag_push.json", "", nil, settings("branches_to_be_notified", "default", "tag_push_channel", "tags"), "tags"},
		{"push channel", "push.json", "", nil, settings("push_channel", "pushes", "issue_channel", "issues"), "pushes"},
		{"blank push channel", "push.json", "", nil, settings("push_channel", ""), "general"},
		{"no channel at all", "push.json", "", nil, settings("channel", nil), ""},
		{"issue channel", "issue.json", "", nil, settings("issue_channel", "issues", "confidential_issue_channel", "secret"), "issues"},
		{"confidential issue by header", "issue.json", "Confidential Issue Hook", nil, settings("issue_channel", "issues", "confidential_issue_channel", "secret"), "secret"},
		{"confidential issue by flag", "issue.json", "", confidential, settings("issue_channel", "issues", "confidential_issue_channel", "secret"), "secret"},
		{"confidential issue falls back to issue_channel", "issue.json", "", confidential, settings("issue_channel", "issues"), "issues"},
		{"confidential issue falls back to channel", "issue.json", "", confidential, settings(), "general"},
		{"issue update", "issue.json", "", func(m map[string]any) { attrs(m)["action"] = "update" }, settings(), "-"},
		{"merge request update", "merge_request.json", "", func(m map[string]any) { attrs(m)["action"] = "update" }, settings(), "-"},
		{"merge request to another branch, default only", "merge_request.json", "", func(m map[string]any) { attrs(m)["target_branch"] = "feature" },
			settings("branches_to_be_notified", "default", "merge_request_channel", "mrs"), "mrs"},
		{"confidential note", "note_issue.json", "Confidential Note Hook", nil, settings("note_channel", "notes", "confidential_note_channel", "secret"), "secret"},
		{"confidential note falls back to note_channel", "note_issue.json", "Confidential Note Hook", nil, settings("note_channel", "notes"), "notes"},
		{"note on a confidential issue", "note_issue.json", "", func(m map[string]any) { m["issue"].(map[string]any)["confidential"] = true },
			settings("note_channel", "notes", "confidential_note_channel", "secret"), "secret"},
		{"pipeline success", "pipeline.json", "", nil, settings("pipeline_channel", "ci"), "ci"},
		{"pipeline success, only broken", "pipeline.json", "", nil, settings("notify_only_broken_pipelines", true), "-"},
		{"pipeline success, only broken by default", "pipeline.json", "", nil, settings("notify_only_broken_pipelines", nil), "-"},
		{"pipeline failed, only broken", "pipeline.json", "", status("failed"), settings("notify_only_broken_pipelines", true), "general"},
		{"pipeline running", "pipeline.json", "", status("running"), settings(), "-"},
		{"pipeline canceled", "pipeline.json", "", status("canceled"), settings(), "-"},
		{"pipeline on other branch", "pipeline.json", "", func(m map[string]any) { attrs(m)["ref"] = "feature" }, settings("branches_to_be_notified", "default"), "-"},
		{"tag pipeline", "pipeline.json", "", func(m map[string]any) { attrs(m)["ref"] = "v1"; attrs(m)["tag"] = true },
			settings("branches_to_be_notified", "default"), "general"},
		{"wiki page channel", "wiki_page.json", "", nil, settings("wiki_page_channel", "wiki"), "wiki"},
		{"deployment channel", "deployment.json", "", nil, settings("deployment_channel", "deploys"), "deploys"},
		{"job", "job.json", "", nil, settings(), "-"},
		{"no webhook", "push.json", "", nil, settings("webhook", ""), "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := slack.Build(parse(t, tt.file, tt.header, tt.change), tt.settings, project)
			if err != nil {
				t.Fatal(err)
			}
			if tt.channel == "-" {
				if len(reqs) != 0 {
					t.Fatalf("%d requests, want none", len(reqs))
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			var pl map[string]any
			if err := json.Unmarshal(payloadOf(t, reqs[0].Body), &pl); err != nil {
				t.Fatal(err)
			}
			got, present := pl["channel"]
			if tt.channel == "" {
				if present {
					t.Errorf("channel %v sent, want none", got)
				}
			} else if got != tt.channel {
				t.Errorf("channel %v, want %q", got, tt.channel)
			}
		})
	}
}

func TestBody(t *testing.T) {
	m := &chatmsg.Message{
		Pretext:     "a b+c/ü&<>=\"\\ [x](http://x?a=1&b=2)\u2028end\\u2028",
		Attachments: []chatmsg.Attachment{{Title: "[t](http://t)", TitleLink: "http://t", Text: "[[n](http://a)](http://b)", Color: "#345"}},
	}
	body, err := slack.Body(m, "", "")
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"attachments":[{"title":"[t](http://t)","title_link":"http://t","text":"<http://b|<http://a|n>>","color":"#345"}],"fallback":null,"text":"a b+c/ü&<>=\"\\ <http://x?a=1&b=2|x>` + "\u2028" + `end\\u2028"}`
	if got := string(payloadOf(t, body)); got != wantJSON {
		t.Errorf("payload\n got %s\nwant %s", got, wantJSON)
	}
	want := "payload=%7B%22attachments%22%3A%5B%7B%22title%22%3A%22%5Bt%5D%28http%3A%2F%2Ft%29%22%2C%22title_link%22%3A%22http%3A%2F%2Ft%22%2C%22text%22%3A%22%3Chttp%3A%2F%2Fb%7C%3Chttp%3A%2F%2Fa%7Cn%3E%3E%22%2C%22color%22%3A%22%23345%22%7D%5D%2C%22fallback%22%3Anull%2C%22text%22%3A%22a%20b%2Bc%2F%C3%BC%26%3C%3E%3D%5C%22%5C%5C%20%3Chttp%3A%2F%2Fx%3Fa%3D1%26b%3D2%7Cx%3E%E2%80%A8end%5C%5Cu2028%22%7D"
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}

	// Key order and presence: channel, username, attachments, fallback, text.
	m = &chatmsg.Message{Fallback: "[f](http://f)", HasFallback: true}
	body, _ = slack.Body(m, "dev", "bot")
	if got, want := string(payloadOf(t, body)), `{"channel":"dev","username":"bot","attachments":[],"fallback":"<http://f|f>","text":""}`; got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
}

func TestBadWebhookLeaksNothing(t *testing.T) {
	for _, hook := range []string{
		"ftp://hooks.slack.com/services/s3cr3tW3bh00kT0k3n",
		"https://hooks.slack.com/services/s3cr3tW3bh00kT0k3n%zz",
		"hooks.slack.com/services/s3cr3tW3bh00kT0k3n",
		"https:///services/s3cr3tW3bh00kT0k3n",
	} {
		reqs, err := slack.Build(parse(t, "push.json", "", nil), settings("webhook", hook), project)
		if err == nil || reqs != nil {
			t.Fatalf("%s: accepted", hook)
		}
		integrationtest.AssertNoSecret(t, "s3cr3tW3bh00kT0k3n", err.Error(), fmt.Sprintf("%v %+v", err, err))
	}
}

// TestSendToServer sends a built request as the delivery code will and
// checks what a server receives.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	hook := rec.URL + "/services/T0000/B0000/XXXX"
	reqs, err := slack.Build(parse(t, "issue.json", "Confidential Issue Hook", nil),
		settings("webhook", hook, "confidential_issue_channel", "secret"), project)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("%d requests, %v", len(reqs), err)
	}
	if status, answer := integrationtest.Send(t, reqs[0]); status != http.StatusOK || string(answer) != "ok" {
		t.Errorf("answer %d %q", status, answer)
	}

	got := rec.Requests()
	if len(got) != 1 {
		t.Fatalf("%d requests received", len(got))
	}
	if got[0].Method != "POST" || got[0].Path != "/services/T0000/B0000/XXXX" ||
		got[0].Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("received %s %s %v", got[0].Method, got[0].Path, got[0].Header)
	}
	// The server reads the form as Slack does.
	form, err := url.ParseQuery(string(got[0].Body))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"channel":"secret","username":"glint","attachments":[{"title":"#23 New API: create/update/delete file",` +
		`"title_link":"http://example.com/diaspora/issues/23","text":"Create new API for manipulations with repository","color":"#C95823"}],` +
		`"fallback":null,"text":"[<http://example.com/gitlabhq/gitlab-test|gitlabhq/gitlab-test>] Issue ` +
		`<http://example.com/diaspora/issues/23|#23 New API: create/update/delete file> opened by Administrator (root)"}`
	if form.Get("payload") != want {
		t.Errorf("payload\n got %s\nwant %s", form.Get("payload"), want)
	}
	if !json.Valid([]byte(form.Get("payload"))) {
		t.Error("payload is not JSON")
	}
	integrationtest.AssertNoSecret(t, "XXXX", string(got[0].Body))

	// The recorder answers what it is told to.
	rec.Respond(http.StatusInternalServerError, "down")
	if status, answer := integrationtest.Send(t, reqs[0]); status != 500 || string(answer) != "down" || len(rec.Requests()) != 2 {
		t.Errorf("answer %d %q, %d requests", status, answer, len(rec.Requests()))
	}
}

// FuzzBuild: whatever GitLab event is accepted, the Slack request is built
// without panic and carries a JSON payload.
func FuzzBuild(f *testing.F) {
	for _, file := range integrationtest.FixtureFiles(f) {
		header, body := integrationtest.Fixture(f, file)
		f.Add(header, body)
	}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		ev, err := event.Parse(header, body)
		if err != nil {
			return
		}
		reqs, err := slack.Build(ev, settings("notify_only_broken_pipelines", false), project)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reqs {
			if !json.Valid(payloadOf(t, r.Body)) {
				t.Fatalf("payload is not JSON: %s", r.Body)
			}
		}
	})
}
