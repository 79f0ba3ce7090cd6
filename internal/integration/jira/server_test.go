package jira_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/jira"
)

// jiraServer is a RecordingServer that answers as Jira does (fakeJira),
// and the settings that point the service at it.
func jiraServer(t *testing.T, keys ...string) (*integrationtest.Recorder, *fakeJira, map[string]any) {
	t.Helper()
	rec := integrationtest.RecordingServer(t)
	j := newFakeJira(keys...)
	j.site = rec.URL
	rec.Answer(j.answer)
	return rec, j, integrationtest.Props(base, "url", rec.URL+"/")
}

// TestSendToServer walks whole chains over HTTP, as the delivery code
// sends them: a push to the default branch that closes one issue and
// mentions another twice (and a non-issue, UTF-8), then the same push
// again, which Jira's state turns into lookups only.
func TestSendToServer(t *testing.T) {
	rec, j, settings := jiraServer(t, "PROJ-1", "PROJ-2")
	push := commits("refs/heads/master", "Fixes PROJ-2\n\nSee PROJ-1 and UTF-8.", "PROJ-1 again, `quoted`")
	reqs := integrationtest.Build(t, jira.Build, "push.json", "", push, settings)
	status, sent := integrationtest.SendAll(t, reqs)
	// search 1; closing PROJ-2: lookup, 2 transitions, lookup, links,
	// link, comment = 7; two mentions of PROJ-1: lookup, links, link,
	// comment = 4 each.
	if status != http.StatusCreated || sent != 16 {
		t.Errorf("answer %d after %d requests", status, sent)
	}
	j.mu.Lock() // the server's goroutines wrote them
	defer j.mu.Unlock()
	p1, p2 := j.issues[0], j.issues[1]
	if len(p1.comments) != 2 || len(p1.links) != 2 || len(p1.moves) != 0 {
		t.Errorf("PROJ-1: %+v", p1)
	}
	if !p2.resolution || !slices.Equal(p2.moves, []string{"11", "21"}) || len(p2.comments) != 1 || !strings.HasPrefix(p2.comments[0], "Issue solved with [") ||
		p2.links[0].body["object"].(map[string]any)["status"].(map[string]any)["resolved"] != true {
		t.Errorf("PROJ-2: %+v", p2)
	}
	for _, r := range rec.Requests() {
		if strings.Contains(r.Path, "UTF-8") || r.Header.Get("Cookie") != "OBBasicAuth=fromDialog" || r.Header.Get("Accept") != "application/json" {
			t.Errorf("%s %s %v", r.Method, r.Path, r.Header)
		}
	}

	// The same push again: PROJ-2 is resolved, PROJ-1 has both comments.
	before := len(rec.Requests())
	j.mu.Unlock()
	status, sent = integrationtest.SendAll(t, integrationtest.Build(t, jira.Build, "push.json", "", push, settings))
	j.mu.Lock()
	if status != http.StatusOK || sent != 4 || len(p1.comments) != 2 || len(p2.comments) != 1 || len(rec.Requests()) != before+4 {
		t.Errorf("again: answer %d after %d requests, comments %d and %d", status, sent, len(p1.comments), len(p2.comments))
	}

	// A merge request opened with PROJ-1 in its description.
	mrReqs := integrationtest.Build(t, jira.Build, "merge_request.json", "", mr("open", "Viewport", "Part of PROJ-1."), settings)
	j.mu.Unlock()
	status, sent = integrationtest.SendAll(t, mrReqs)
	j.mu.Lock()
	if status != http.StatusCreated || sent != 5 || len(p1.comments) != 3 {
		t.Errorf("merge request: answer %d after %d requests", status, sent)
	}
}

// TestSendToServerRefused: Jira refuses a wrong password (401) and the
// delivery stops there; an issue deleted between the search and its
// lookup answers 404, which stops the delivery too (see the package doc).
func TestSendToServerRefused(t *testing.T) {
	_, _, settings := jiraServer(t, "PROJ-1")
	reqs := integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", "PROJ-1"), integrationtest.Props(settings, "password", "wrong"))
	if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusUnauthorized || sent != 1 {
		t.Errorf("wrong password: answer %d after %d requests", status, sent)
	}

	rec, j, settings := jiraServer(t, "PROJ-1")
	j.ghosts = []string{"PROJ-9"}
	reqs = integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", "PROJ-9 then PROJ-1"), settings)
	if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusNotFound || sent != 2 {
		t.Errorf("deleted issue: answer %d after %d requests", status, sent)
	}
	got := rec.Requests()
	if last := got[len(got)-1]; last.Path != "/rest/api/2/issue/PROJ-9" {
		t.Errorf("last request %s", last.Path)
	}
}
