package emailsonpush_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/emailsonpush"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

var base = map[string]any{"recipients": "dev@example.com  lead@example.com\nlead@example.com"}

// project is the tests' project, with the instance's email settings.
func project() integration.Project {
	p := integrationtest.Project
	p.Email = integration.Email{From: "glint@glint.example.com", ReplyTo: "noreply@glint.example.com"}
	return p
}

func diffs(n, lines int) []any {
	out := make([]any, n)
	for i := range out {
		var b strings.Builder
		fmt.Fprintf(&b, "@@ -1,%d +1,%d @@\n", lines, lines)
		for j := 0; j < lines-1; j++ {
			fmt.Fprintf(&b, "-old %d\n+new %d\n", j, j)
		}
		path := fmt.Sprintf("file%d.txt", i)
		out[i] = map[string]any{"old_path": path, "new_path": path, "a_mode": "100644", "b_mode": "100644",
			"new_file": false, "renamed_file": false, "deleted_file": false, "diff": b.String()}
	}
	return out
}

// hookDiffs are the diffs `glint hook` adds to the push fixture.
func hookDiffs(m map[string]any) {
	m["glint_diffs"] = []any{
		map[string]any{"old_path": "CHANGELOG", "new_path": "CHANGELOG", "a_mode": "0", "b_mode": "100644", "new_file": true,
			"renamed_file": false, "deleted_file": false, "diff": "@@ -0,0 +1,2 @@\n+v1.0.0\n+- first <release> & more\n"},
		map[string]any{"old_path": "app/controller/application.rb", "new_path": "app/controller/application.rb", "a_mode": "100644",
			"b_mode": "100644", "new_file": false, "renamed_file": false, "deleted_file": false,
			"diff": "@@ -1,3 +1,3 @@\n class ApplicationController\n-  old\n+  new\n end\n"},
	}
	commits := m["commits"].([]any)
	commits[1].(map[string]any)["message"] = "fixed readme\n\nCloses #12 and PROJ-7, see #x.\n"
}

func oneCommit(m map[string]any) {
	m["commits"] = m["commits"].([]any)[1:]
	m["total_commits_count"] = 1
}

var redmine = &integration.IssueTracker{Title: "Redmine", IssuesURL: "https://redmine.example.com/issues/:id"}

type golden struct {
	name     string
	file     string
	change   func(m map[string]any)
	settings map[string]any
	edit     func(p *integration.Project, ev *event.Event)
	mails    int
}

func TestGolden(t *testing.T) {
	cases := []golden{
		{name: "push_commits", change: hookDiffs, edit: func(p *integration.Project, _ *event.Event) { p.IssueTracker = redmine }, mails: 2},
		{name: "push_single_commit", change: oneCommit},
		{name: "push_no_diff_source"},
		{name: "push_diffs_disabled", change: hookDiffs, settings: integrationtest.Props(base, "disable_diffs", true)},
		{name: "push_diff_too_large", change: func(m map[string]any) { m["glint_diffs"] = diffs(31, 2) }},
		{name: "push_diff_too_many_lines", change: func(m map[string]any) { m["glint_diffs"] = diffs(2, 2501) }},
		{name: "create_branch", change: func(m map[string]any) { m["before"], m["ref"] = event.BlankSHA, "refs/heads/feature" }},
		{name: "delete_branch", change: func(m map[string]any) {
			m["after"], m["commits"], m["total_commits_count"] = event.BlankSHA, []any{}, 0
		}},
		{name: "create_tag", file: "tag_push.json"},
		{name: "reverse_compare", change: func(m map[string]any) { m["commits"], m["total_commits_count"] = []any{}, 0 },
			edit: func(_ *integration.Project, ev *event.Event) {
				ev.Push.DeletedCommits = []event.Commit{
					{ID: "1111111111111111111111111111111111111111", Message: "Removed one\n", Timestamp: "2019-11-20T10:00:00Z", Author: event.Author{Name: "Ann"}},
					{ID: "2222222222222222222222222222222222222222", Message: "Removed two\n", Timestamp: "2019-11-21T10:00:00Z", Author: event.Author{Name: "Bob"}},
				}
				ev.Push.GlintDiffs = []event.Diff{{OldPath: "a.txt", NewPath: "a.txt", Diff: "@@ -1 +1 @@\n-two\n+one\n"}}
			}},
		{name: "reverse_compare_single", change: func(m map[string]any) { m["commits"], m["total_commits_count"] = []any{}, 0 },
			edit: func(_ *integration.Project, ev *event.Event) {
				ev.Push.DeletedCommits = []event.Commit{{ID: "1111111111111111111111111111111111111111", Message: "Removed one\n",
					Timestamp: "2019-11-20T10:00:00Z", Author: event.Author{Name: "Ann"}}}
			}},
		{name: "from_committer_suffix", settings: integrationtest.Props(base, "send_from_committer_email", true, "recipients", "dev@example.com"),
			change: func(m map[string]any) {
				m["user_email"] = "john@corp.example.com"
				m["project"].(map[string]any)["web_url"] = "https://gitlab.corp.example.com/mike/diaspora"
			},
			edit: func(p *integration.Project, _ *event.Event) { p.Email.SubjectSuffix = "glint" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := c.file
			if file == "" {
				file = "push.json"
			}
			settings := c.settings
			if settings == nil {
				settings = base
			}
			ev := integrationtest.Event(t, file, "", c.change)
			p := project()
			if c.edit != nil {
				c.edit(&p, ev)
			}
			reqs, err := emailsonpush.Build(ev, settings, p)
			if err != nil {
				t.Fatal(err)
			}
			want := c.mails
			if want == 0 {
				want = len(strings.Fields(settings["recipients"].(string)))
				if settings["recipients"] == base["recipients"] {
					want = 2
				}
			}
			if len(reqs) != want {
				t.Fatalf("%d mails, want %d", len(reqs), want)
			}
			integrationtest.Golden(t, filepath.Join("testdata", c.name+".golden"), integrationtest.Dump(reqs...))
		})
	}
}

// TestNothingToSend: no mail for other events, no recipients, a push that
// changes nothing, or a force push whose removed commits are unknown.
func TestNothingToSend(t *testing.T) {
	cases := map[string]func() []integration.Request{
		"pipeline": func() []integration.Request { return build(t, "pipeline.json", nil, base) },
		"no recipients": func() []integration.Request {
			return build(t, "push.json", nil, integrationtest.Props(base, "recipients", " \n "))
		},
		"before is after": func() []integration.Request {
			return build(t, "push.json", func(m map[string]any) { m["after"] = m["before"] }, base)
		},
		"rewind without a source": func() []integration.Request {
			return build(t, "push.json", func(m map[string]any) { m["commits"], m["total_commits_count"] = []any{}, 0 }, base)
		},
	}
	for name, f := range cases {
		if reqs := f(); len(reqs) != 0 {
			t.Errorf("%s: %d mails", name, len(reqs))
		}
	}
}

// TestFromCommitter: the pusher's address is used only when the setting is
// on and its domain is one of the sending host's.
func TestFromCommitter(t *testing.T) {
	for _, c := range []struct {
		on    bool
		email string
		want  string
	}{
		{true, "john@example.com", "john@example.com"},
		{true, "john@elsewhere.org", "glint@glint.example.com"},
		{false, "john@example.com", "glint@glint.example.com"},
	} {
		reqs := build(t, "push.json", func(m map[string]any) { m["user_email"] = c.email },
			integrationtest.Props(base, "send_from_committer_email", c.on))
		wantReply := c.want
		if c.want == "glint@glint.example.com" {
			wantReply = "noreply@glint.example.com"
		}
		if got := reqs[0].Mail; got.From != c.want || got.ReplyTo != wantReply || got.FromName != "John Smith" {
			t.Errorf("%+v: From %q <%s>, Reply-To %s", c, got.FromName, got.From, got.ReplyTo)
		}
	}
}

func build(t *testing.T, file string, change func(m map[string]any), settings map[string]any) []integration.Request {
	t.Helper()
	reqs, err := emailsonpush.Build(integrationtest.Event(t, file, "", change), settings, project())
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}
