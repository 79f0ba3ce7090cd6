package chatmsg_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

func TestNotifyForRef(t *testing.T) {
	p := project
	p.ProtectedBranches = []string{"release"}
	branches := []string{"master", "release", "feature"} // default, protected, other
	want := map[string][3]bool{
		"all":                   {true, true, true},
		"default":               {true, false, false},
		"protected":             {false, true, false},
		"default_and_protected": {true, true, false},
		"":                      {false, false, false},
		"bogus":                 {false, false, false},
	}
	push := func(branch string) *event.Event {
		return parse(t, "push.json", func(m map[string]any) { m["ref"] = "refs/heads/" + branch })
	}
	pipeline := func(ref string, tag bool) *event.Event {
		return parse(t, "pipeline.json", func(m map[string]any) { attrs(m)["ref"] = ref; attrs(m)["tag"] = tag })
	}
	for value, results := range want {
		for i, branch := range branches {
			if got := chatmsg.NotifyForRef(push(branch), value, p); got != results[i] {
				t.Errorf("push to %s with %q: got %v, want %v", branch, value, got, results[i])
			}
			if got := chatmsg.NotifyForRef(pipeline(branch, false), value, p); got != results[i] {
				t.Errorf("pipeline on %s with %q: got %v, want %v", branch, value, got, results[i])
			}
			// Tags always pass, whatever their name.
			tag := parse(t, "tag_push.json", func(m map[string]any) { m["ref"] = "refs/tags/" + branch })
			if !chatmsg.NotifyForRef(tag, value, p) {
				t.Errorf("tag push %s with %q filtered out", branch, value)
			}
			if !chatmsg.NotifyForRef(pipeline(branch, true), value, p) {
				t.Errorf("tag pipeline %s with %q filtered out", branch, value)
			}
		}
	}
}

func TestNotifyForRefOtherEvents(t *testing.T) {
	// Merge requests, issues, notes, wiki pages and deployments are not
	// branch-filtered in 12.5.
	mr := parse(t, "merge_request.json", func(m map[string]any) { attrs(m)["target_branch"] = "feature" })
	for _, ev := range []*event.Event{mr, parse(t, "issue.json", nil), parse(t, "note_commit.json", nil),
		parse(t, "wiki_page.json", nil), parse(t, "deployment.json", nil), parse(t, "job.json", nil)} {
		if !chatmsg.NotifyForRef(ev, "default", project) {
			t.Errorf("%s filtered out", ev.Kind)
		}
	}
}

func TestNotifyForRefProtectedDefault(t *testing.T) {
	// With no protected branch set, glint protects the default branch.
	p := project
	p.ProtectedBranches = nil
	for branch, want := range map[string]bool{"master": true, "release": false} {
		ev := parse(t, "push.json", func(m map[string]any) { m["ref"] = "refs/heads/" + branch })
		if got := chatmsg.NotifyForRef(ev, "protected", p); got != want {
			t.Errorf("%s: got %v, want %v", branch, got, want)
		}
	}
	// Without a default branch, the payload's project names it.
	ev := parse(t, "push.json", nil)
	if !chatmsg.NotifyForRef(ev, "default", integration.Project{}) {
		t.Error("push to the payload's default branch filtered out")
	}
}

func TestNotifyForPipeline(t *testing.T) {
	for _, tt := range []struct {
		status             string
		onlyBroken, plenty bool // the result with the flag on, and off
	}{
		{"success", false, true},
		{"failed", true, true},
		{"running", false, false},
		{"pending", false, false},
		{"canceled", false, false},
		{"skipped", false, false},
	} {
		ev := parse(t, "pipeline.json", func(m map[string]any) { attrs(m)["status"] = tt.status })
		if got := chatmsg.NotifyForPipeline(ev, true); got != tt.onlyBroken {
			t.Errorf("%s, only broken: got %v", tt.status, got)
		}
		if got := chatmsg.NotifyForPipeline(ev, false); got != tt.plenty {
			t.Errorf("%s, all: got %v", tt.status, got)
		}
	}
	if !chatmsg.NotifyForPipeline(parse(t, "push.json", nil), true) {
		t.Error("a push is not a pipeline to filter")
	}
}

// readSettings is chatmsg.ReadSlackSettings of Slack, whose catalog entry
// has every chat property.
func readSettings(t *testing.T, properties map[string]any) chatmsg.SlackSettings {
	t.Helper()
	s, err := chatmsg.ReadSlackSettings("slack", properties)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadSettings(t *testing.T) {
	s := readSettings(t, map[string]any{"webhook": "https://hooks.example/x", "username": " ", "channel": "general"})
	if s.Webhook != "https://hooks.example/x" || s.Username != "" || s.Channel != "general" ||
		!s.NotifyOnlyBrokenPipelines || s.BranchesToBeNotified != "default" {
		t.Errorf("defaults: %+v", s)
	}
	for v, want := range map[any]bool{false: false, true: true, "false": false, "0": false, "true": true, "1": true, nil: true, "maybe": true, 0: true} {
		s := readSettings(t, map[string]any{"notify_only_broken_pipelines": v})
		if s.NotifyOnlyBrokenPipelines != want {
			t.Errorf("notify_only_broken_pipelines %#v: got %v", v, s.NotifyOnlyBrokenPipelines)
		}
	}
	if s := readSettings(t, map[string]any{"branches_to_be_notified": "all"}); s.BranchesToBeNotified != "all" {
		t.Errorf("branches_to_be_notified: %q", s.BranchesToBeNotified)
	}
}

func TestChannelFor(t *testing.T) {
	full := map[string]any{
		"channel": "general", "push_channel": "pushes", "issue_channel": "issues", "note_channel": "notes",
		"confidential_issue_channel": "secret-issues", "confidential_note_channel": "secret-notes", "pipeline_channel": "",
	}
	fallback := map[string]any{"channel": "general", "issue_channel": "issues", "note_channel": "notes", "confidential_issue_channel": "  "}
	for _, tt := range []struct {
		settings  map[string]any
		eventType string
		want      string
	}{
		{full, "push", "pushes"},
		{full, "issue", "issues"},
		{full, "confidential_issue", "secret-issues"},
		{full, "confidential_note", "secret-notes"},
		{full, "pipeline", "general"},
		{full, "tag_push", "general"},
		{fallback, "confidential_issue", "issues"},
		{fallback, "confidential_note", "notes"},
		{map[string]any{"channel": "general"}, "confidential_issue", "general"},
		{map[string]any{}, "push", ""},
		{map[string]any{"push_channel": 5}, "push", ""},
	} {
		if got := readSettings(t, tt.settings).ChannelFor(tt.eventType); got != tt.want {
			t.Errorf("%s with %v: got %q, want %q", tt.eventType, tt.settings, got, tt.want)
		}
	}
}
