package asana_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/asana"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const key = "0/s3cr3tAsanaK3y"

var base = map[string]any{"api_key": key}

// messages sets the messages of the fixture's commits, in order.
func messages(msgs ...string) func(m map[string]any) {
	return func(m map[string]any) {
		commits := m["commits"].([]any)
		for i, msg := range msgs {
			commits[i].(map[string]any)["message"] = msg
		}
	}
}

// mentions: the first commit closes one task and mentions another by
// URL, the second mentions a task by number.
var mentions = messages("Fixes #1234567, see https://app.asana.com/0/111/2345678\n\nUpdate Catalan translation.", "fixed readme (#42)")

// chain lists the requests with, after each one whose answer decides
// what follows, what follows a 2xx answer (the task exists).
func chain(t *testing.T, reqs []integration.Request) []integration.Request {
	t.Helper()
	var out []integration.Request
	for _, r := range reqs {
		out = append(out, r)
		if r.Then != nil {
			more, err := r.Then([]byte(`{"data":{"gid":"1"}}`))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, chain(t, more)...)
		}
	}
	return out
}

// TestGolden: each task is read before it is commented on or completed,
// as GitLab's AsanaService#check_commit does
// (app/models/project_services/asana_service.rb: "task =
// Asana::Resources::Task.find_by_id(client, taskid)" before
// "task.add_comment(text: ...)" and "task.update(completed: true)").
func TestGolden(t *testing.T) {
	reqs := integrationtest.Build(t, asana.Build, "push.json", "", mentions, base)
	if len(reqs) != 3 {
		t.Fatalf("%d task reads, want 3", len(reqs))
	}
	integrationtest.Golden(t, filepath.Join("testdata", "push.golden"), integrationtest.Dump(chain(t, reqs)...))
}

// TestRequests: per commit and per reference, a story with the prefix and
// the whole message, and a completion after a fix/close word; the same
// task named twice is commented twice, as GitLab's loop does.
func TestRequests(t *testing.T) {
	reqs := integrationtest.Build(t, asana.Build, "push.json", "", messages("close #7 and #7 <b>&\u2028", "nothing here"), base)
	prefix := "John Smith pushed to branch master of Gitlab Org / Gitlab Test ( http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327 ):"
	story := `{"data":{"text":"` + prefix + ` close #7 and #7 <b>&` + "\u2028" + `"}}`
	want := []struct{ method, url, body string }{
		{"GET", "https://app.asana.com/api/1.0/tasks/7", ""},
		{"POST", "https://app.asana.com/api/1.0/tasks/7/stories", story},
		{"PUT", "https://app.asana.com/api/1.0/tasks/7", `{"data":{"completed":true}}`},
		{"GET", "https://app.asana.com/api/1.0/tasks/7", ""},
		{"POST", "https://app.asana.com/api/1.0/tasks/7/stories", story},
	}
	all := chain(t, reqs)
	if len(all) != len(want) {
		t.Fatalf("%d requests, want %d:\n%s", len(all), len(want), integrationtest.Dump(all...))
	}
	for i, r := range all {
		if r.Method != want[i].method || r.URL != want[i].url || string(r.Body) != want[i].body {
			t.Errorf("request %d: %s %s %s\nwant %s %s %s", i, r.Method, r.URL, r.Body, want[i].method, want[i].url, want[i].body)
		}
		if r.Method == "GET" {
			if r.Header.Get("Authorization") != "Bearer "+key || len(r.Header) != 1 || r.Then == nil || !r.Optional {
				t.Errorf("request %d: read %+v", i, r)
			}
			continue
		}
		if r.Header.Get("Authorization") != "Bearer "+key || r.Header.Get("Content-Type") != "application/json" || len(r.Header) != 2 || r.Then != nil {
			t.Errorf("request %d: headers %v", i, r.Header)
		}
	}
}

func TestPrefix(t *testing.T) {
	got := asana.Prefix("Jane Doe", "feature/x", "Group / Project", "https://g/c/1")
	if want := "Jane Doe pushed to branch feature/x of Group / Project ( https://g/c/1 ):"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	// The project's full name is glint's, not the payload's.
	reqs := chain(t, integrationtest.Build(t, asana.Build, "push.json", "", messages("#1"), base))
	if len(reqs) != 2 || !strings.Contains(string(reqs[1].Body), " of Gitlab Org / Gitlab Test ( ") {
		t.Errorf("%d requests: %s", len(reqs), integrationtest.Dump(reqs...))
	}
}

// TestBranchFilter: restrict_to_branch is a substring test on the raw
// setting, as GitLab's String#index is; a blank setting lets every branch
// through.
func TestBranchFilter(t *testing.T) {
	tests := []struct {
		restrict any
		ref      string
		sends    bool
	}{
		{nil, "refs/heads/master", true},
		{"", "refs/heads/master", true},
		{"   ", "refs/heads/master", true},
		{"master", "refs/heads/master", true},
		{"feature,master", "refs/heads/master", true},
		{"feature,main", "refs/heads/feat", true}, // a substring, not a list entry
		{"release-1.0", "refs/heads/release", true},
		{"masters", "refs/heads/master", true},
		{"feature,main", "refs/heads/master", false},
		{"Master", "refs/heads/master", false}, // case matters
		{"dev", "refs/heads/feature/dev-x", false},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, asana.Build, "push.json", "", func(m map[string]any) {
			mentions(m)
			m["ref"] = tt.ref
		}, integrationtest.Props(base, "restrict_to_branch", tt.restrict))
		if sends := len(reqs) > 0; sends != tt.sends {
			t.Errorf("restrict %q, ref %s: %d requests", tt.restrict, tt.ref, len(reqs))
		}
	}
}

func TestEvents(t *testing.T) {
	for _, file := range integrationtest.FixtureFiles(t) {
		if file == "push.json" {
			continue
		}
		// Even a tag push whose commits name tasks sends nothing.
		change := func(m map[string]any) {
			if commits, ok := m["commits"].([]any); ok && len(commits) > 0 {
				commits[0].(map[string]any)["message"] = "fix #1"
			}
		}
		if reqs := integrationtest.Build(t, asana.Build, file, "", change, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
	for name, change := range map[string]func(m map[string]any){
		"no commits":       func(m map[string]any) { m["commits"] = []any{} },
		"no task named":    nil, // the fixture's own messages
		"no id after #":    messages("fix #", "see # 12"),
		"not an Asana URL": messages("https://app.asana.com/x/1/2", "http://app.asana.com/0/1/2"),
	} {
		if reqs := integrationtest.Build(t, asana.Build, "push.json", "", change, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", name, len(reqs))
		}
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, asana.Build, "asana: ", []string{key, key + "\r\nX-Evil: 1"},
		integrationtest.Props(base, "api_key", nil),
		integrationtest.Props(base, "api_key", " \t"),
		integrationtest.Props(base, "api_key", key+"\r\nX-Evil: 1"),
		integrationtest.Props(base, "api_key", key+"\x7f"),
		integrationtest.Props(base, "api_key", nil, "restrict_to_branch", "nothing-matches"))
}

// TestSendToServer: Asana wants the Bearer token, answers 201 with the
// story to a {"data":{"text":...}} post on a task's stories and 200 with
// the task to a {"data":{"completed":true}} put, the task to a GET, and
// 401 without the token. A task that does not exist (404 to its read) is
// skipped and the delivery goes on with the next, as GitLab's per-task
// rescue of Asana::Errors::NotFound does.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	tasks := map[string]bool{"1234567": true, "2345678": true, "42": true}
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			return http.StatusUnauthorized, `{"errors":[{"message":"Not Authorized"}]}`
		}
		rest, ok := strings.CutPrefix(r.Path, "/api/1.0/tasks/")
		id, stories := strings.CutSuffix(rest, "/stories")
		if !ok || !tasks[id] {
			return http.StatusNotFound, `{"errors":[{"message":"task: Unknown object: ` + id + `"}]}`
		}
		if r.Method == http.MethodGet && !stories {
			return http.StatusOK, fmt.Sprintf(`{"data":{"gid":%q,"resource_type":"task","completed":false}}`, id)
		}
		var body struct {
			Data map[string]any `json:"data"`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil || body.Data == nil {
			return http.StatusBadRequest, `{"errors":[{"message":"Could not parse request data, invalid JSON"}]}`
		}
		switch {
		case r.Method == http.MethodPost && stories:
			text, ok := body.Data["text"].(string)
			if !ok || text == "" {
				return http.StatusBadRequest, `{"errors":[{"message":"text: Missing input"}]}`
			}
			answer, _ := json.Marshal(map[string]any{"data": map[string]any{"gid": "9" + id, "resource_type": "story", "text": text}})
			return http.StatusCreated, string(answer)
		case r.Method == http.MethodPut && !stories:
			if body.Data["completed"] != true {
				return http.StatusBadRequest, `{"errors":[{"message":"completed: Missing input"}]}`
			}
			return http.StatusOK, fmt.Sprintf(`{"data":{"gid":%q,"resource_type":"task","completed":true}}`, id)
		}
		return http.StatusNotFound, `{"errors":[{"message":"No matching route for request"}]}`
	})
	send := func(change func(m map[string]any), settings map[string]any) (status, sent int) {
		reqs := integrationtest.Build(t, asana.Build, "push.json", "", change, settings)
		for i := range reqs {
			reqs[i] = redirect(reqs[i], rec.URL)
		}
		return integrationtest.SendAll(t, reqs)
	}
	if status, sent := send(mentions, base); status != http.StatusCreated || sent != 7 {
		t.Errorf("answer %d after %d requests", status, sent)
	}
	got := rec.Requests()
	if len(got) != 7 || got[0].Method != http.MethodGet || got[2].Method != http.MethodPut || got[2].Path != "/api/1.0/tasks/1234567" || got[6].Path != "/api/1.0/tasks/42/stories" {
		t.Errorf("received %+v", got)
	}
	if status, sent := send(mentions, integrationtest.Props(base, "api_key", "wrong")); status != http.StatusUnauthorized || sent != 1 {
		t.Errorf("wrong key: answer %d after %d requests", status, sent)
	}
	before := len(rec.Requests())
	if status, sent := send(messages("fix #999 and #42"), base); status != http.StatusCreated || sent != 3 {
		t.Errorf("missing task: answer %d after %d requests", status, sent)
	}
	got = rec.Requests()[before:]
	if len(got) != 3 || got[0].Path != "/api/1.0/tasks/999" || got[1].Path != "/api/1.0/tasks/42" || got[2].Path != "/api/1.0/tasks/42/stories" {
		t.Errorf("missing task: received %+v", got)
	}
}

// redirect sends r, and what its answer makes follow, to base instead of
// Asana: its host is fixed, the path, headers and body are what is
// checked.
func redirect(r integration.Request, base string) integration.Request {
	r.URL = base + strings.TrimPrefix(r.URL, "https://app.asana.com")
	if then := r.Then; then != nil {
		r.Then = func(answer []byte) ([]integration.Request, error) {
			more, err := then(answer)
			for i := range more {
				more[i] = redirect(more[i], base)
			}
			return more, err
		}
	}
	return r
}
