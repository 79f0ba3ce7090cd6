package pipelinesemail_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/pipelinesemail"
)

var base = map[string]any{"recipients": "dev@example.com, lead@example.com\nqa@example.com", "notify_only_broken_pipelines": false,
	"branches_to_be_notified": "default"}

func project() integration.Project {
	p := integrationtest.Project
	p.Email = integration.Email{From: "glint@glint.example.com", ReplyTo: "noreply@glint.example.com"}
	return p
}

func noMR(m map[string]any) { m["merge_request"] = nil }

func failed(m map[string]any) {
	noMR(m)
	integrationtest.Attrs(m)["status"] = "failed"
	builds := m["builds"].([]any)
	builds[1].(map[string]any)["status"] = "failed"
	builds[2].(map[string]any)["status"] = "failed"
}

func build(t *testing.T, change func(m map[string]any), settings map[string]any, p integration.Project) []integration.Request {
	t.Helper()
	reqs, err := pipelinesemail.Build(integrationtest.Event(t, "pipeline.json", "", change), settings, p)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

func TestGolden(t *testing.T) {
	suffixed := project()
	suffixed.Email.SubjectSuffix = "glint"
	for _, c := range []struct {
		name     string
		change   func(m map[string]any)
		settings map[string]any
		p        integration.Project
	}{
		{"success", noMR, base, project()},
		{"failed", failed, base, project()},
		{"merge_request", nil, base, project()},
		{"add_pusher_suffix", func(m map[string]any) {
			failed(m)
			m["user"].(map[string]any)["email"] = "root@example.com"
			m["commit"].(map[string]any)["message"] = "A commit message that is much longer than fifty characters\n\nand more"
		}, integrationtest.Props(base, "add_pusher", true), suffixed},
		{"no_user", func(m map[string]any) { noMR(m); m["user"] = nil }, base, project()},
	} {
		t.Run(c.name, func(t *testing.T) {
			reqs := build(t, c.change, c.settings, c.p)
			if len(reqs) != 1 {
				t.Fatalf("%d mails, want 1", len(reqs))
			}
			if m := reqs[0].Mail; len(m.To) != 0 || len(m.Bcc) < 3 {
				t.Errorf("To %v, Bcc %v: want every recipient in Bcc", m.To, m.Bcc)
			}
			integrationtest.Golden(t, filepath.Join("testdata", c.name+".golden"), integrationtest.Dump(reqs...))
		})
	}
}

// TestFilters: the status and branch filters, and the recipients.
func TestFilters(t *testing.T) {
	status := func(s string) func(m map[string]any) {
		return func(m map[string]any) { noMR(m); integrationtest.Attrs(m)["status"] = s }
	}
	ref := func(r string, tag bool) func(m map[string]any) {
		return func(m map[string]any) {
			noMR(m)
			integrationtest.Attrs(m)["ref"], integrationtest.Attrs(m)["tag"] = r, tag
		}
	}
	onlyBroken := integrationtest.Props(base, "notify_only_broken_pipelines", true)
	for _, c := range []struct {
		name     string
		change   func(m map[string]any)
		settings map[string]any
		want     int
	}{
		{"success", status("success"), base, 1},
		{"success, only broken", status("success"), onlyBroken, 0},
		{"failed, only broken", status("failed"), onlyBroken, 1},
		{"running", status("running"), base, 0},
		{"canceled", status("canceled"), base, 0},
		{"other branch", ref("feature", false), base, 0},
		{"other branch, all", ref("feature", false), integrationtest.Props(base, "branches_to_be_notified", "all"), 1},
		{"tag named as the default branch", ref("master", true), base, 0},
		{"tag, all", ref("v1.0", true), integrationtest.Props(base, "branches_to_be_notified", "all"), 1},
		{"protected", ref("master", false), integrationtest.Props(base, "branches_to_be_notified", "protected"), 1},
		{"no recipients", noMR, integrationtest.Props(base, "recipients", " , \n"), 0},
		{"add_pusher without an email", noMR, integrationtest.Props(base, "recipients", "", "add_pusher", true), 0},
	} {
		if got := len(build(t, c.change, c.settings, project())); got != c.want {
			t.Errorf("%s: %d mails, want %d", c.name, got, c.want)
		}
	}
	reqs := build(t, func(m map[string]any) { noMR(m); m["user"].(map[string]any)["email"] = "root@example.com" },
		integrationtest.Props(base, "recipients", "a@example.com,a@example.com root@example.com", "add_pusher", true), project())
	if got := reqs[0].Mail.Bcc; !slices.Equal(got, []string{"a@example.com", "root@example.com"}) {
		t.Errorf("Bcc %v", got)
	}
	if reqs := build(t, nil, base, project()); len(reqs) != 1 {
		t.Fatal("no mail for the merge request pipeline")
	} else if got := reqs[0].Mail.Subject; got != "Gitlab Test | Pipeline #31 has succeeded for test | bcbb5ec3 in !1" {
		t.Errorf("subject %q", got)
	}
}

func TestOtherEvents(t *testing.T) {
	for _, file := range []string{"push.json", "issue.json", "job.json"} {
		reqs, err := pipelinesemail.Build(integrationtest.Event(t, file, "", nil), base, project())
		if err != nil || len(reqs) != 0 {
			t.Errorf("%s: %d mails, %v", file, len(reqs), err)
		}
	}
}
