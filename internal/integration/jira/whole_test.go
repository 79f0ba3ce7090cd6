package jira_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/jira"
)

// bigIssue is PROJ-1 with 100 comments and 200 remote links, none of them
// glint's: its comment list and its link list are each far longer than
// 4 KiB, so glint's own comment and link, added last, are past it.
func bigIssue() *fakeJira {
	j := newFakeJira("PROJ-1")
	is := j.issues[0]
	for i := range 100 {
		is.comments = append(is.comments, fmt.Sprintf("comment %d: the widget still flickers on resize, see the attached log", i))
	}
	for i := range 200 {
		is.links = append(is.links, fakeLink{id: 20000 + i, body: map[string]any{"relationship": "relates to",
			"object": map[string]any{"url": fmt.Sprintf("https://wiki.example.com/pages/%d", i), "title": fmt.Sprintf("Design note %d", i)}}})
	}
	return j
}

// TestRedeliveryBigIssue: an issue with 100 comments and 200 remote links
// gets no duplicate link or comment when an event is delivered again,
// over HTTP through the production client: the answers are read whole,
// past their first 4 KiB.
func TestRedeliveryBigIssue(t *testing.T) {
	push := commits("refs/heads/feature", "PROJ-1 Update the widget")
	mention := func(j *fakeJira, settings map[string]any) []string {
		return lines(walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", push, settings)))
	}

	// Delivered twice: the second time the comment is found, 101st.
	j := bigIssue()
	first := walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", push, base))
	if len(first) != 5 || len(first[1].Answer) <= 4<<10 || len(first[2].Answer) <= 4<<10 {
		t.Fatalf("first delivery: %v; answers of %d and %d bytes", lines(first), len(first[1].Answer), len(first[2].Answer))
	}
	again := walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", push, base))
	is := j.issues[0]
	if len(again) != 2 || len(is.comments) != 101 || len(is.links) != 201 || strings.Index(string(again[1].Answer), "mentioned this issue") < 4<<10 {
		t.Errorf("again: %v; %d comments, %d links", lines(again), len(is.comments), len(is.links))
	}

	// Comments off: the link, 201st, is found and updated, not added.
	j = bigIssue()
	off := integrationtest.Props(base, "comment_on_event_enabled", false)
	mention(j, off)
	got := mention(j, off)
	if len(got) != 4 || !strings.HasPrefix(got[3], "PUT /rest/api/2/issue/10001/remotelink/10101 ") || len(j.issues[0].links) != 201 {
		t.Errorf("comments off, again: %v; %d links", got, len(j.issues[0].links))
	}

	// The comment fails after the link was added: the delivery is tried
	// again, finds the link past 4 KiB and updates it, and comments once.
	j = bigIssue()
	j.failComments = 1
	got = mention(j, base)
	if len(got) != 5 || !strings.HasSuffix(got[4], "[500]") {
		t.Fatalf("first attempt: %v", got)
	}
	got = mention(j, base)
	is = j.issues[0]
	if len(got) != 5 || !strings.HasPrefix(got[3], "PUT ") || len(is.comments) != 101 || len(is.links) != 201 {
		t.Errorf("second attempt: %v; %d comments, %d links", got, len(is.comments), len(is.links))
	}
	// And a third delivery finds both.
	if got = mention(j, base); len(got) != 2 || len(is.comments) != 101 || len(is.links) != 201 {
		t.Errorf("third delivery: %v", got)
	}
}

// TestSearchPages: an event mentioning more keys than Jira lists in a
// page searches once, then again from where the page ended, and every
// issue found is mentioned once.
func TestSearchPages(t *testing.T) {
	var keys []string
	for i := 1; i <= 60; i++ {
		keys = append(keys, fmt.Sprintf("KEY-%d", i))
	}
	j := newFakeJira(keys[:55]...) // KEY-56 to KEY-60 are not issues
	got := walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", strings.Join(keys, " ")), base))
	var searches []string
	for _, l := range lines(got) {
		if strings.HasPrefix(l, "GET /rest/api/2/search") {
			searches = append(searches, l)
		}
	}
	if len(searches) != 2 || !strings.Contains(searches[1], "&startAt=50") || strings.Contains(searches[0], "startAt") {
		t.Fatalf("searches %q", searches)
	}
	for _, is := range j.issues {
		if len(is.comments) != 1 || len(is.links) != 1 {
			t.Errorf("%s: %d comments, %d links", is.key, len(is.comments), len(is.links))
		}
	}
	if len(got) != 2+55*4 || got[len(got)-1].Status != http.StatusCreated {
		t.Errorf("%d requests", len(got))
	}
}
