package jira_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/jira"
)

var base = map[string]any{"url": "https://jira.example.com/", "username": " " + username + " ", "password": password, "jira_issue_transition_id": "11, 21"}

const sha1, sha2 = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"

// commits sets the push's commits to messages (ids sha1, sha2, ...).
func commits(ref string, messages ...string) func(m map[string]any) {
	return func(m map[string]any) {
		var cs []any
		for i, msg := range messages {
			id := []string{sha1, sha2, "1111111111111111111111111111111111111111"}[i]
			cs = append(cs, map[string]any{"id": id, "message": msg, "timestamp": "2012-01-03T23:36:29+02:00",
				"url": "http://example.com/mike/diaspora/commit/" + id, "author": map[string]any{"name": "Jordi Mallach", "email": "jordi@softcatala.org"}})
		}
		m["commits"], m["ref"] = cs, ref
	}
}

// mr edits the merge request fixture.
func mr(action, title, description string, changes ...string) func(m map[string]any) {
	return func(m map[string]any) {
		a := integrationtest.Attrs(m)
		a["action"], a["title"], a["description"] = action, title, description
		c := map[string]any{}
		for _, name := range changes {
			c[name] = map[string]any{"previous": "", "current": "x"}
		}
		m["changes"] = c
	}
}

// golden walks the requests built for a fixture against j and compares
// them, with Jira's answers, to testdata/<name>.golden.
func golden(t *testing.T, name, file string, change func(m map[string]any), settings map[string]any, j *fakeJira, about string) []integrationtest.Sent {
	t.Helper()
	reqs := integrationtest.Build(t, jira.Build, file, "", change, settings)
	got := walk(t, j, reqs)
	var out bytes.Buffer
	fmt.Fprintf(&out, "# %s\n", about)
	for i, s := range got {
		out.WriteString("\n----\n\n")
		out.Write(integrationtest.Dump(s.Request))
		answer := string(s.Answer)
		if len(answer) > 300 {
			answer = answer[:300] + "..."
		}
		fmt.Fprintf(&out, "\n# %d. Jira answered %d %s\n", i+1, s.Status, answer)
	}
	integrationtest.Golden(t, filepath.Join("testdata", name+".golden"), out.Bytes())
	return got
}

// TestGolden shows every request shape: the existence search, the two
// issue lookups, the remote link lookup, remote link POST and PUT, the
// mention comments of a commit and of a merge request, the transitions,
// and the closing link and comment.
func TestGolden(t *testing.T) {
	t.Run("commit mention", func(t *testing.T) {
		j := newFakeJira("PROJ-1")
		got := golden(t, "push_mention", "push.json", commits("refs/heads/feature", "PROJ-1 Update the widget\n\nSee UTF-8 handling."), base, j,
			"A push to feature mentions PROJ-1 (known to Jira) and UTF-8 (not a Jira issue).")
		if len(got) != 5 || len(j.issues[0].comments) != 1 || len(j.issues[0].links) != 1 {
			t.Errorf("%v", lines(got))
		}
	})
	t.Run("commit mention, link exists", func(t *testing.T) {
		j := newFakeJira("PROJ-1")
		j.issues[0].links = []fakeLink{{id: 10050, body: map[string]any{"relationship": "mentioned on",
			"object": map[string]any{"url": "http://example.com/mike/diaspora/commit/" + sha1, "title": "Commit - old"}}}}
		got := golden(t, "push_mention_update_link", "push.json", commits("refs/heads/feature", "PROJ-1 Update the widget"), base, j,
			"A push mentions PROJ-1, which has no comment but a link to the commit (the comment was deleted): the link is updated.")
		if len(got) != 5 || got[3].Request.Method != http.MethodPut || len(j.issues[0].links) != 1 {
			t.Errorf("%v", lines(got))
		}
	})
	t.Run("commit closes", func(t *testing.T) {
		j := newFakeJira("PROJ-2")
		got := golden(t, "push_close", "push.json", commits("refs/heads/master", "Fixes PROJ-2"), base, j,
			"A push to the default branch closes PROJ-2; jira_issue_transition_id is \"11, 21\" and 21 resolves it.")
		if len(got) != 8 || !j.issues[0].resolution || !slices.Equal(j.issues[0].moves, []string{"11", "21"}) {
			t.Errorf("%v", lines(got))
		}
	})
	t.Run("merge request mention", func(t *testing.T) {
		j := newFakeJira("PROJ-3")
		golden(t, "merge_request_mention", "merge_request.json", mr("open", "MS-Viewport", "Implements PROJ-3, not `PROJ-4`."), base, j,
			"A merge request is opened whose description mentions PROJ-3 (PROJ-4 is in a code span).")
	})
	t.Run("merge closes", func(t *testing.T) {
		j := newFakeJira("PROJ-2")
		golden(t, "merge_request_merge", "merge_request.json", mr("merge", "Closes PROJ-2", ""), base, j,
			"A merge request into the default branch whose title closes PROJ-2 is merged.")
	})
}

// TestMentionText checks the texts against GitLab's templates.
func TestMentionText(t *testing.T) {
	j := newFakeJira("PROJ-1")
	long := strings.Repeat("word ", 30) + "PROJ-1"
	walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", "PROJ-1 title\r\nbody", long), base))
	is := j.issues[0]
	// app/services/system_note_service.rb and jira_service.rb build the
	// links on Settings.gitlab.base_url, the sending GitLab's: the
	// payload's project web_url and path_with_namespace name its project.
	url1 := "http://example.com/mike/diaspora/commit/" + sha1
	want := []string{
		"[John Smith|http://example.com/jsmith] mentioned this issue in [a commit of mike/diaspora|" + url1 + "]:\n'PROJ-1 title'",
		"[John Smith|http://example.com/jsmith] mentioned this issue in [a commit of mike/diaspora|http://example.com/mike/diaspora/commit/" + sha2 + "]:\n'" +
			strings.TrimSpace(strings.Repeat("word ", 16)) + "…'",
	}
	if !slices.Equal(is.comments, want) {
		t.Errorf("comments\n%q\nwant\n%q", is.comments, want)
	}
	if len(is.links) != 2 {
		t.Fatalf("%d links", len(is.links))
	}
	o := is.links[0].body["object"].(map[string]any)
	if o["title"] != "Commit - PROJ-1 title" || o["url"] != url1 || o["icon"].(map[string]any)["url16x16"] != "http://example.com/assets/favicon.png" {
		t.Errorf("link %v", o)
	}
	j = newFakeJira("PROJ-3")
	walk(t, j, integrationtest.Build(t, jira.Build, "merge_request.json", "", mr("open", "PROJ-3: Viewport\n", ""), base))
	want = []string{"[Administrator|http://example.com/root] mentioned this issue in [a merge request of gitlabhq/gitlab-test|http://example.com/gitlabhq/gitlab-test/merge_requests/1]:\n'PROJ-3: Viewport'"}
	if !slices.Equal(j.issues[0].comments, want) || j.issues[0].links[0].body["object"].(map[string]any)["title"] != "Merge request - PROJ-3: Viewport\n" {
		t.Errorf("merge request: %q, %v", j.issues[0].comments, j.issues[0].links)
	}
}

// outcome is what an event did to each issue of a fake Jira.
func outcome(j *fakeJira) string {
	var parts []string
	for _, is := range j.issues {
		var did []string
		for _, c := range is.comments {
			switch {
			case strings.Contains(c, "mentioned this issue in [a commit"):
				did = append(did, "mentioned by commit")
			case strings.Contains(c, "mentioned this issue in [a merge request"):
				did = append(did, "mentioned by merge request")
			case strings.HasPrefix(c, "Issue solved with"):
				did = append(did, "solved")
			}
		}
		if len(is.moves) > 0 {
			did = append(did, "moved "+strings.Join(is.moves, ","))
		}
		if len(did) > 0 {
			parts = append(parts, is.key+": "+strings.Join(did, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// TestDecisions: which events, refs and texts mention or close which
// issues.
func TestDecisions(t *testing.T) {
	noIDs := integrationtest.Props(base, "jira_issue_transition_id", nil)
	tests := []struct {
		name, file, header string
		change             func(m map[string]any)
		settings           map[string]any
		want               string
	}{
		{"feature branch: mentions only", "push.json", "", commits("refs/heads/feature", "Fixes PROJ-2, see PROJ-1"), base,
			"PROJ-1: mentioned by commit; PROJ-2: mentioned by commit"},
		{"default branch: closes, mentions the rest", "push.json", "", commits("refs/heads/master", "Fixes PROJ-2, see PROJ-1"), base,
			"PROJ-1: mentioned by commit; PROJ-2: solved, moved 11,21"},
		{"default branch, no transition: closed keys not mentioned", "push.json", "", commits("refs/heads/master", "Fixes PROJ-2, see PROJ-1"), noIDs,
			"PROJ-1: mentioned by commit"},
		{"only the first key after a keyword closes", "push.json", "", commits("refs/heads/master", "Closes PROJ-1, PROJ-2"), base,
			"PROJ-1: solved, moved 11,21; PROJ-2: mentioned by commit"},
		{"a GitLab issue reference chains", "push.json", "", commits("refs/heads/master", "Closes #12, PROJ-2"), base,
			"PROJ-2: solved, moved 11,21"},
		{"new default branch", "push.json", "", func(m map[string]any) { commits("refs/heads/master", "Fixes PROJ-2")(m); m["before"] = event.BlankSHA }, base,
			"PROJ-2: solved, moved 11,21"},
		{"removed branch", "push.json", "", func(m map[string]any) { commits("refs/heads/master", "Fixes PROJ-2")(m); m["after"] = event.BlankSHA }, base, ""},
		{"tag push", "tag_push.json", "", commits("refs/tags/v1.0.0", "Fixes PROJ-2 PROJ-1"), base, ""},
		{"keys in URLs are no references", "push.json", "", commits("refs/heads/master", "See https://jira.example.com/browse/PROJ-1 and fixes https://x/PROJ-2"), base, ""},
		{"two commits, one issue", "push.json", "", commits("refs/heads/feature", "PROJ-1 a", "PROJ-1 b"), base,
			"PROJ-1: mentioned by commit, mentioned by commit"},
		{"unknown keys are skipped", "push.json", "", commits("refs/heads/master", "UTF-8 and SHA-256; fixes ISO-8859"), base, ""},
		{"comments off", "push.json", "", commits("refs/heads/master", "Fixes PROJ-2, see PROJ-1"), integrationtest.Props(base, "comment_on_event_enabled", false),
			"PROJ-2: moved 11,21"},
		{"merge request opened", "merge_request.json", "", mr("open", "PROJ-1 viewport", "Fixes PROJ-2\n\n```\nPROJ-3\n```"), base,
			"PROJ-1: mentioned by merge request; PROJ-2: mentioned by merge request"},
		{"merge request description updated", "merge_request.json", "", mr("update", "viewport", "PROJ-1", "description"), base,
			"PROJ-1: mentioned by merge request"},
		{"merge request labels updated", "merge_request.json", "", mr("update", "viewport", "PROJ-1", "labels"), base, ""},
		{"merge request closed", "merge_request.json", "", mr("close", "PROJ-1", "PROJ-2"), base, ""},
		{"merged into the default branch", "merge_request.json", "", mr("merge", "viewport", "Resolves PROJ-2, see PROJ-1"), base,
			"PROJ-2: solved, moved 11,21"},
		{"merged into another branch", "merge_request.json", "", func(m map[string]any) {
			mr("merge", "viewport", "Resolves PROJ-2")(m)
			integrationtest.Attrs(m)["target_branch"] = "stable"
		}, base, ""},
	}
	for _, tt := range tests {
		j := newFakeJira("PROJ-1", "PROJ-2", "PROJ-3")
		walk(t, j, integrationtest.Build(t, jira.Build, tt.file, tt.header, tt.change, tt.settings))
		if got := outcome(j); got != tt.want {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, got, tt.want)
		}
	}
}

// TestSkips: what GitLab skips. A comment already holding the text, an
// issue already resolved, a transition that leaves the issue unresolved,
// a link to the commit when not all comments could be read.
func TestSkips(t *testing.T) {
	push := func(j *fakeJira, ref, msg string) []string {
		return lines(walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", commits(ref, msg), base)))
	}

	j := newFakeJira("PROJ-1")
	push(j, "refs/heads/feature", "PROJ-1 once")
	again := push(j, "refs/heads/feature", "PROJ-1 once")
	if len(j.issues[0].comments) != 1 || len(again) != 2 {
		t.Errorf("a second mention: %d comments, sent %v", len(j.issues[0].comments), again)
	}

	j = newFakeJira("PROJ-2")
	j.issues[0].resolution = true
	if got := push(j, "refs/heads/master", "Fixes PROJ-2"); len(got) != 2 || len(j.issues[0].moves) != 0 {
		t.Errorf("resolved issue: %v", got)
	}

	j = newFakeJira("PROJ-2")
	j.resolving = "99" // no transition of the setting resolves it
	if got := push(j, "refs/heads/master", "Fixes PROJ-2"); len(got) != 5 || len(j.issues[0].comments) != 0 || len(j.issues[0].links) != 0 {
		t.Errorf("unresolved after the transitions: %v", got)
	}

	j = newFakeJira("PROJ-2")
	j.transitions = []string{"21"} // 11 is not valid here: the delivery stops
	if got := push(j, "refs/heads/master", "Fixes PROJ-2"); len(got) != 3 || !strings.HasSuffix(got[2], "[400]") {
		t.Errorf("failed transition: %v", got)
	}

	// Jira lists fewer comments than its total: a link to the commit then
	// says the mention was made.
	j = newFakeJira("PROJ-1")
	j.commentPage = 2
	for range 3 {
		j.issues[0].comments = append(j.issues[0].comments, "an unrelated comment")
	}
	push(j, "refs/heads/feature", "PROJ-1 once")
	if got := push(j, "refs/heads/feature", "PROJ-1 once"); len(got) != 3 || len(j.issues[0].comments) != 4 || len(j.issues[0].links) != 1 {
		t.Errorf("comments paged: %v, %d comments", got, len(j.issues[0].comments))
	}
}

// TestRequests checks the parts every request shares and the URL forms.
func TestRequests(t *testing.T) {
	tests := []struct {
		settings map[string]any
		prefix   string
	}{
		{base, "https://jira.example.com/rest/api/2/search?"},
		{integrationtest.Props(base, "url", "https://jira.example.com/jira/"), "https://jira.example.com/jira/rest/api/2/search?"},
		{integrationtest.Props(base, "api_url", "http://api-jira.example.com:8080/ctx/?x=1#f"), "http://api-jira.example.com:8080/ctx/rest/api/2/search?"},
		{integrationtest.Props(base, "api_url", "  "), "https://jira.example.com/rest/api/2/search?"},
		{integrationtest.Props(base, "url", "https://"+username+":x@jira.example.com"), "https://jira.example.com/rest/api/2/search?"},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", "PROJ-1"), tt.settings)
		if len(reqs) != 1 || !strings.HasPrefix(reqs[0].URL, tt.prefix) {
			t.Errorf("%v: %+v", tt.settings, reqs)
		}
	}
	// One search asks about every key, in order of first mention.
	var msg []string
	for i := 1; i <= 23; i++ {
		msg = append(msg, fmt.Sprintf("KEY-%d", i))
	}
	reqs := integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", strings.Join(msg, " ")), base)
	if len(reqs) != 1 || !strings.HasSuffix(reqs[0].URL, "maxResults=23") || !strings.Contains(reqs[0].URL, "%22KEY-1%22%2C%22KEY-2%22") ||
		!strings.Contains(reqs[0].URL, "%22KEY-23%22%29") {
		t.Errorf("%d searches: %v", len(reqs), reqs)
	}
	// More than 100 keys: a search for each 100, which keeps URLs short.
	msg = msg[:0]
	for i := 1; i <= 230; i++ {
		msg = append(msg, fmt.Sprintf("KEY-%d", i))
	}
	reqs = integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", strings.Join(msg, " ")), base)
	if len(reqs) != 3 || !strings.HasSuffix(reqs[0].URL, "maxResults=100") || !strings.HasSuffix(reqs[2].URL, "maxResults=30") ||
		!strings.Contains(reqs[1].URL, "%28%22KEY-101%22%2C") || len(reqs[0].URL) > 2<<10 {
		t.Errorf("%d searches: %v", len(reqs), reqs)
	}
}

func TestEvents(t *testing.T) {
	for _, file := range integrationtest.FixtureFiles(t) {
		if !strings.HasSuffix(file, ".json") {
			continue
		}
		// The push and merge request fixtures mention no key either.
		if reqs := integrationtest.Build(t, jira.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
	// Events it does not take send nothing even when their text has keys,
	// and are not refused for bad settings.
	for _, file := range []string{"issue.json", "note_commit.json", "wiki_page.json"} {
		ev := integrationtest.Event(t, file, "", func(m map[string]any) { integrationtest.Attrs(m)["description"] = "PROJ-1" })
		if reqs, err := jira.Build(ev, map[string]any{}, integrationtest.Project); reqs != nil || err != nil {
			t.Errorf("%s: %v, %v", file, reqs, err)
		}
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, jira.Build, "jira: ", []string{password},
		integrationtest.Props(base, "url", nil),
		integrationtest.Props(base, "url", " "),
		integrationtest.Props(base, "url", "jira.example.com"),
		integrationtest.Props(base, "url", "ftp://jira.example.com"),
		integrationtest.Props(base, "url", "https://"),
		integrationtest.Props(base, "url", "javascript://"+password),
		integrationtest.Props(base, "url", "https://jira.example.com/%"+password),
		integrationtest.Props(base, "api_url", "not a url "+password),
		integrationtest.Props(base, "username", nil),
		integrationtest.Props(base, "username", "   "),
		integrationtest.Props(base, "password", nil),
		integrationtest.Props(base, "password", ""),
		integrationtest.Props(base, "jira_issue_transition_id", "close"),
	)
}

// TestThenErrors: answers that are not what Jira sends end the delivery
// with an error that says so and holds no secret.
func TestThenErrors(t *testing.T) {
	reqs := integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/master", "Fixes PROJ-1, PROJ-2 too"), base)
	for _, answer := range []string{"", "<html>login</html>", "[]", `"x"`, password} {
		_, err := reqs[0].Then([]byte(answer))
		if err == nil || !strings.HasPrefix(err.Error(), "jira: ") {
			t.Errorf("search answered %q: %v", answer, err)
			continue
		}
		integrationtest.AssertNoSecret(t, password, err.Error())
	}
	next, err := reqs[0].Then([]byte(`{"issues":[{"key":"PROJ-1","id":"10001"},{"key":"PROJ-2","id":"10002"}]}`))
	if err != nil || len(next) != 2 {
		t.Fatalf("%d requests, %v", len(next), err)
	}
	for _, r := range next {
		for _, answer := range []string{"", "[]", "<html>"} {
			if _, err := r.Then([]byte(answer)); err == nil || !strings.HasPrefix(err.Error(), "jira: ") {
				t.Errorf("%s answered %q: %v", r.URL, answer, err)
			}
		}
	}
}

// TestBodies: bodies are encoded as Rails' to_json encodes them.
func TestBodies(t *testing.T) {
	j := newFakeJira("PROJ-1")
	got := walk(t, j, integrationtest.Build(t, jira.Build, "push.json", "", commits("refs/heads/feature", "PROJ-1 <b> & \u2028 \"q\""), base))
	body := string(got[len(got)-1].Request.Body)
	want := `{"body":"[John Smith|http://example.com/jsmith] mentioned this issue in [a commit of mike/diaspora|http://example.com/mike/diaspora/commit/` +
		sha1 + `]:\n'PROJ-1 \u003cb\u003e \u0026 \u2028 \"q\"'"}`
	if body != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Error(err)
	}
}
