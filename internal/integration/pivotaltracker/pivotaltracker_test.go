package pivotaltracker_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/pivotaltracker"
)

const token = "s3cr3tTr4ck3rT0k3n"

var base = map[string]any{"token": token}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, pivotaltracker.Build, []integrationtest.Case{
		{Golden: "push", File: "push.json", Settings: base, Requests: 2},
	})
}

// TestBodies: one request per commit, in the payload's order, each with
// the commit's id, author name, URL and message under source_commit, in
// GitLab's key order.
func TestBodies(t *testing.T) {
	reqs := integrationtest.Build(t, pivotaltracker.Build, "push.json", "", func(m map[string]any) {
		m["commits"] = []any{
			map[string]any{"id": "a1", "message": "[#123] <b>&\u2028\n", "url": "https://x/c/a1", "author": map[string]any{"name": "Zoë", "email": "z@x"}},
			map[string]any{"id": "b2", "message": "two", "url": "https://x/c/b2", "author": map[string]any{"name": "B", "email": "b@x"}},
			map[string]any{"id": "c3", "message": "", "url": "", "author": map[string]any{"name": ""}},
		}
	}, base)
	want := []string{
		`{"source_commit":{"commit_id":"a1","author":"Zoë","url":"https://x/c/a1","message":"[#123] <b>&` + "\u2028" + `\n"}}`,
		`{"source_commit":{"commit_id":"b2","author":"B","url":"https://x/c/b2","message":"two"}}`,
		`{"source_commit":{"commit_id":"c3","author":"","url":"","message":""}}`,
	}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests, want %d", len(reqs), len(want))
	}
	for i, r := range reqs {
		if string(r.Body) != want[i] {
			t.Errorf("request %d: body %s, want %s", i, r.Body, want[i])
		}
		if r.Method != http.MethodPost || r.URL != pivotaltracker.Endpoint || r.Header.Get("X-TrackerToken") != token ||
			r.Header.Get("Content-Type") != "application/json" || len(r.Header) != 2 || r.Then != nil {
			t.Errorf("request %d: %+v", i, r)
		}
	}
}

func TestAllowedBranch(t *testing.T) {
	tests := []struct {
		ref, restrict string
		want          bool
	}{
		{"refs/heads/master", "", true},
		{"refs/heads/master", "  \t", true},
		{"", "master", true},
		{"refs/heads/master", "master", true},
		{"refs/heads/master", " feature , master ", true},
		{"refs/heads/master", "feature,\tmaster\n", true},
		{"refs/heads/master", "master\x00", true}, // Ruby's strip drops trailing NULs
		{"refs/heads/master", "\x00master", false},
		{"refs/heads/master", "feature,main", false},
		{"refs/heads/mast", "master", false}, // exact, not a substring
		{"refs/heads/master", "mast", false},
		{"refs/heads/master", "Master", false}, // case matters
		{"refs/heads/feature/x", "feature/x,master", true},
		{"refs/heads/a,b", "a,b", false}, // the entries are a and b
		{"refs/heads/", "master", false}, // no branch name
		{"refs/heads/", ",", false},
		{"master", "master", true}, // a ref without refs/heads/ is its own name
	}
	for _, tt := range tests {
		if got := pivotaltracker.AllowedBranch(tt.ref, tt.restrict); got != tt.want {
			t.Errorf("AllowedBranch(%q, %q) = %v, want %v", tt.ref, tt.restrict, got, tt.want)
		}
	}
}

// TestFilter: the branch filter decides whether a push sends anything.
func TestFilter(t *testing.T) {
	tests := []struct {
		restrict any
		ref      string
		want     int
	}{
		{nil, "refs/heads/master", 2},
		{"master", "refs/heads/master", 2},
		{"dev, master", "refs/heads/master", 2},
		{"dev", "refs/heads/master", 0},
		{"masters", "refs/heads/master", 0},
		{"dev,feature", "refs/heads/feature", 2},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, pivotaltracker.Build, "push.json", "", func(m map[string]any) { m["ref"] = tt.ref },
			integrationtest.Props(base, "restrict_to_branch", tt.restrict))
		if len(reqs) != tt.want {
			t.Errorf("restrict %q, ref %s: %d requests, want %d", tt.restrict, tt.ref, len(reqs), tt.want)
		}
	}
}

func TestEvents(t *testing.T) {
	for _, file := range integrationtest.FixtureFiles(t) {
		if file == "push.json" {
			continue
		}
		if reqs := integrationtest.Build(t, pivotaltracker.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
	noCommits := func(m map[string]any) { m["commits"] = []any{} }
	if reqs := integrationtest.Build(t, pivotaltracker.Build, "push.json", "", noCommits, base); len(reqs) != 0 {
		t.Errorf("a push without commits: %d requests", len(reqs))
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, pivotaltracker.Build, "pivotaltracker: ", []string{token, token + "\r\nX-Evil: 1"},
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "token", " \n"),
		integrationtest.Props(base, "token", token+"\r\nX-Evil: 1"),
		integrationtest.Props(base, "token", token+"\x00"),
		integrationtest.Props(base, "token", nil, "restrict_to_branch", "nothing-matches"))
}

// TestSendToServer: Tracker wants the token in X-TrackerToken and a
// source_commit with its four keys; it answers 200 with the source commit
// it made, 403 to a bad token.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Header.Get("X-TrackerToken") != token {
			return http.StatusForbidden, `{"code":"invalid_authentication","kind":"error","error":"Invalid authentication credentials were presented."}`
		}
		if r.Method != http.MethodPost || r.Path != "/services/v5/source_commits" {
			return http.StatusNotFound, `{"code":"route_not_found","kind":"error","error":"The path you requested has no valid endpoint."}`
		}
		var body struct {
			SourceCommit map[string]any `json:"source_commit"`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil || len(body.SourceCommit) != 4 {
			return http.StatusBadRequest, `{"code":"invalid_parameter","kind":"error","error":"One or more request parameters was missing or invalid."}`
		}
		for _, key := range []string{"commit_id", "author", "url", "message"} {
			if _, ok := body.SourceCommit[key].(string); !ok {
				return http.StatusBadRequest, `{"code":"invalid_parameter","kind":"error","error":"One or more request parameters was missing or invalid."}`
			}
		}
		answer, _ := json.Marshal(map[string]any{"kind": "source_commit", "commit_id": body.SourceCommit["commit_id"],
			"author": body.SourceCommit["author"], "url": body.SourceCommit["url"], "message": body.SourceCommit["message"]})
		return http.StatusOK, string(answer)
	})
	redirect := func(settings map[string]any) (status, sent int) {
		reqs := integrationtest.Build(t, pivotaltracker.Build, "push.json", "", nil, settings)
		for i := range reqs {
			reqs[i].URL = rec.URL + strings.TrimPrefix(reqs[i].URL, "https://www.pivotaltracker.com")
		}
		return integrationtest.SendAll(t, reqs)
	}
	if status, sent := redirect(base); status != http.StatusOK || sent != 2 {
		t.Errorf("answer %d after %d requests", status, sent)
	}
	got := rec.Requests()
	if len(got) != 2 || !strings.Contains(string(got[0].Body), `"commit_id":"b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"`) ||
		!strings.Contains(string(got[1].Body), `"commit_id":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7"`) {
		t.Errorf("received %+v", got)
	}
	for _, r := range got {
		if r.Query != "" || r.Header.Get("Authorization") != "" {
			t.Errorf("the token travels outside its header: %+v", r)
		}
	}
	// A wrong token is refused at the first commit, and the rest is not sent.
	if status, sent := redirect(integrationtest.Props(base, "token", "wrong")); status != http.StatusForbidden || sent != 1 {
		t.Errorf("wrong token: answer %d after %d requests", status, sent)
	}
}
