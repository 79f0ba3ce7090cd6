package emailsonpush_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/emailsonpush"
	"github.com/glint-dev/glint/internal/mail"
)

// FuzzBuild: whatever a push's commit message, pusher, diff and recipients
// hold, Build makes one mail per distinct recipient that renders and
// parses back; the HTML part never carries the message's markup unescaped.
func FuzzBuild(f *testing.F) {
	f.Add("fix #12 and PROJ-7 <script>alert(1)</script>", "John <j@example.com>", "@@ -1 +1 @@\n-a\n+<b>\n", "a@example.com b@example.com")
	f.Add("", "", "", "x")
	f.Add("Ünïcode\r\n\x00#0", "a@b@c", "@@\n", " \n a@example.com a@example.com ")
	f.Fuzz(func(t *testing.T, message, pusher, diff, recipients string) {
		ev := &event.Event{Kind: event.Push, Push: &event.PushEvent{
			ObjectKind: "push", Before: strings.Repeat("1", 40), After: strings.Repeat("2", 40), Ref: "refs/heads/main",
			UserName: pusher, UserEmail: pusher, UserUsername: pusher, TotalCommitsCount: 1,
			Project:    event.Project{ID: 1, Name: "p", Namespace: "g", PathWithNamespace: "g/p", WebURL: "https://gitlab.example.com/g/p"},
			Commits:    []event.Commit{{ID: strings.Repeat("2", 40), Message: message, Author: event.Author{Name: pusher}}},
			GlintDiffs: []event.Diff{{OldPath: "f", NewPath: "f", Diff: diff}},
		}}
		p := integration.Project{ID: 1, Email: integration.Email{From: "glint@glint.example.com"},
			IssueTracker: &integration.IssueTracker{Title: "Redmine", IssuesURL: "https://r.example.com/issues/:id"}}
		reqs, err := emailsonpush.Build(ev, map[string]any{"recipients": recipients, "send_from_committer_email": true}, p)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(strings.Fields(recipients)); len(reqs) > want {
			t.Fatalf("%d mails for %d recipients", len(reqs), want)
		}
		for _, r := range reqs {
			m := r.Mail
			if strings.Contains(m.HTML, "<script>") {
				t.Fatalf("unescaped markup in the HTML part:\n%s", m.HTML)
			}
			raw, err := mail.Render(m, time.Unix(0, 0), "fuzz@glint.test")
			if err != nil {
				// Only an address go-mail refuses may stop a mail: the
				// recipient's, which the settings gave.
				if !strings.Contains(err.Error(), "invalid To") {
					t.Fatalf("render: %v", err)
				}
				continue
			}
			if _, err := mail.Parts(raw); err != nil {
				t.Fatalf("the mail does not parse: %v\n%s", err, raw)
			}
		}
	})
}
