package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/gitpush"
	"github.com/glint-dev/glint/internal/gitpush/gittest"
	"github.com/glint-dev/glint/internal/pushhook"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// TestGitHookEndToEnd: a bare repository with "glint hook install" and a
// clone that pushes with real git (a new branch, commits, a new tag, a
// deleted branch, a force push): each push becomes one Slack message at an
// HTTP sink, its links built from --web-url, --commit-url and --compare-url
// (a cgit's layout). With glint stopped, a push
// still succeeds, says its event is spooled, and after a restart
// "glint hook flush" delivers it once. On SQLite and PostgreSQL.
func TestGitHookEndToEnd(t *testing.T) {
	gittest.Need(t)
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); gitHookEndToEnd(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); gitHookEndToEnd(t, pgtest.Postgres(t)) })
}

// The repository browser (cgit's URL layout): the project's page, a
// commit's and a comparison's.
const (
	hookWebURL     = "https://git.example.com/cgit/widgets"
	hookCommitURL  = hookWebURL + "/commit/?id={sha}"
	hookCompareURL = hookWebURL + "/diff/?id={after}&id2={before}"
)

func hookCommit(sha string) string { return strings.ReplaceAll(hookCommitURL, "{sha}", sha) }

func hookCompare(before, after string) string {
	return strings.NewReplacer("{before}", before, "{after}", after).Replace(hookCompareURL)
}

func gitHookEndToEnd(t *testing.T, dsn string) {
	var extra []string
	if dsn != "" {
		extra = append(extra, "--database", dsn)
	}
	env := []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}
	dir := t.TempDir()
	p := deliveryNode(t, "hook", dir, env, extra...)
	token := rootToken(t, p)
	pj := createProject(t, p, token, "widgets")
	slack := newSink(t, nil)
	putSlack(t, p, token, pj.ID, slack.URL+"/services/T/B/X")
	intake := setIntakeToken(t, p, token, pj.ID)

	r := gittest.New(t)
	out, errOut, code := runGlint(t, nil, "hook", "install", r.Bare, "--url", p.url(""), "--project", pj.PathWithNamespace,
		"--token", intake, "--web-url", hookWebURL, "--commit-url", hookCommitURL, "--compare-url", hookCompareURL, "--timeout", "15s")
	if code != 0 || !strings.Contains(out, "Installed "+filepath.Join(r.Bare, "hooks", "post-receive")) {
		t.Fatalf("glint hook install: exit %d\n%s%s", code, out, errOut)
	}

	// pushed runs git push and waits for the one Slack message it makes.
	seen := 0
	pushed := func(what string, args ...string) (text, attachments string) {
		t.Helper()
		out, err := r.Run(r.Work, append([]string{"push"}, args...)...)
		if err != nil {
			t.Fatalf("%s: git push: %v\n%s", what, err, out)
		}
		if strings.Contains(out, "glint hook:") {
			t.Errorf("%s: the hook warned: %s", what, out)
		}
		seen++
		waitFor(t, 20*time.Second, what+": the Slack message", func() (bool, string) {
			return slack.count() >= seen, fmt.Sprintf("%d messages", slack.count())
		})
		reqs := slack.requests()
		m, err := slackPayload(reqs[len(reqs)-1].Body)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var att []string
		if list, ok := m["attachments"].([]any); ok {
			for _, a := range list {
				att = append(att, fmt.Sprint(a.(map[string]any)["text"]))
			}
		}
		return fmt.Sprint(m["text"]), strings.Join(att, "\n")
	}
	project := "<" + hookWebURL + "|" + pj.PathWithNamespace + ">"
	expect := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: Slack text\n  %q\nwant\n  %q", what, got, want)
		}
	}

	c1 := r.Commit("First commit", map[string]*string{"README.md": gittest.Text("# Widgets\n")})
	text, _ := pushed("new branch", "origin", "master")
	expect("new branch", text, "Carl Committer pushed new branch <"+hookWebURL+"/commits/master|master> to "+project)

	c2 := r.Commit("Second commit", map[string]*string{"README.md": gittest.Text("# Widgets!\n")})
	c3 := r.Commit("Third commit", map[string]*string{"main.go": gittest.Text("package main\n")})
	r.Env = []string{"GLINT_PUSHER_NAME=Pat Pusher", "GLINT_PUSHER_USERNAME=pat"}
	text, att := pushed("branch push", "origin", "master")
	r.Env = nil
	expect("branch push", text, "Pat Pusher pushed to branch <"+hookWebURL+"/commits/master|master> of "+project+
		" (<"+hookCompare(c1, c3)+"|Compare changes>)")
	expect("branch push commits", att, "<"+hookCommit(c2)+"|"+c2[:8]+">: Second commit\n - Ada Author\n\n<"+
		hookCommit(c3)+"|"+c3[:8]+">: Third commit\n - Ada Author")

	r.Tag("v1.0", "Release 1.0")
	text, _ = pushed("new tag", "origin", "v1.0")
	expect("new tag", text, "Carl Committer pushed new tag <"+hookWebURL+"/commits/v1.0|v1.0> to "+project)

	r.Git("checkout", "--quiet", "-b", "feature")
	r.Commit("Feature", map[string]*string{"f": gittest.Text("f\n")})
	pushed("feature branch", "origin", "feature")
	text, _ = pushed("deleted branch", "origin", ":feature")
	expect("deleted branch", text, "Carl Committer removed branch feature from "+project)

	r.Git("checkout", "--quiet", "master")
	r.Git("reset", "--quiet", "--hard", c2)
	c4 := r.Commit("Rewritten third commit", map[string]*string{"main.go": gittest.Text("package main // again\n")})
	text, att = pushed("force push", "--force", "origin", "master")
	expect("force push", text, "Carl Committer pushed to branch <"+hookWebURL+"/commits/master|master> of "+project+
		" (<"+hookCompare(c3, c4)+"|Compare changes>)")
	expect("force push commits", att, "<"+hookCommit(c4)+"|"+c4[:8]+">: Rewritten third commit\n - Ada Author")

	// The event glint stored is the hook's payload, diffs included: from
	// the merge base (c2, which had no main.go) to the new tip.
	dels := serviceDeliveries(t, p, token, pj.ID, "slack")
	if len(dels) != seen {
		t.Fatalf("%d deliveries for %d pushes", len(dels), seen)
	}
	d, _ := getDelivery(t, p, token, pj.ID, dels[0].ID)
	var ev gitpush.Payload
	if err := json.Unmarshal(d.Event, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.After != c4 || ev.GlintDiffs == nil || len(*ev.GlintDiffs) != 1 || !(*ev.GlintDiffs)[0].NewFile ||
		(*ev.GlintDiffs)[0].Diff != "@@ -0,0 +1 @@\n+package main // again\n" {
		t.Errorf("the force push's stored event: after %s, diffs %+v", ev.After, ev.GlintDiffs)
	}

	// post-receive exits 0 whatever happens: here, no repository at all.
	_, errOut, code = runGlint(t, []string{"GIT_DIR=" + t.TempDir()}, "hook", "post-receive")
	if code != 0 || !strings.Contains(errOut, "not a git repository") {
		t.Errorf("glint hook post-receive without a repository: exit %d, %q; want 0 and a warning", code, errOut)
	}

	// glint stopped: the push succeeds at once and its event is spooled.
	p.stop()
	c5 := r.Commit("While glint was down", map[string]*string{"down": gittest.Text("down\n")})
	out, err := r.Run(r.Work, "push", "origin", "master")
	if err != nil {
		t.Fatalf("a push while glint is down failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "remote: glint hook: 1 event(s) spooled") {
		t.Errorf("the push did not say its event was spooled:\n%s", out)
	}
	files, err := pushhook.NewSpool(r.Bare).List()
	if err != nil || len(files) != 1 {
		t.Fatalf("spool: %v %v", files, err)
	}

	// Restarted on the same address, "glint hook flush" delivers it once.
	args := append([]string{"serve", "--data-dir", dir, "--listen", p.addr, "--log-format", "text",
		"--allow-local-requests", "--queue-poll", "50ms"}, extra...)
	p2 := startGlint(t, "hook-restarted", args, env)
	p2.addr = p.addr
	p2.waitReady(30 * time.Second)
	for i, want := range []string{"1 sent, 0 set aside, 0 left\n", "0 sent, 0 set aside, 0 left\n"} {
		out, errOut, code := runGlint(t, nil, "hook", "flush", r.Bare)
		if code != 0 || out != want {
			t.Fatalf("glint hook flush #%d: exit %d, %q %q; want %q", i+1, code, out, errOut, want)
		}
	}
	seen++
	waitFor(t, 20*time.Second, "the spooled push's Slack message", func() (bool, string) {
		return slack.count() >= seen, fmt.Sprintf("%d messages", slack.count())
	})
	reqs := slack.requests()
	m, err := slackPayload(reqs[len(reqs)-1].Body)
	if err != nil {
		t.Fatal(err)
	}
	expect("spooled push", fmt.Sprint(m["text"]), "Carl Committer pushed to branch <"+hookWebURL+"/commits/master|master> of "+project+
		" (<"+hookCompare(c4, c5)+"|Compare changes>)")
	waitFor(t, 20*time.Second, "every delivery to finish", func() (bool, string) {
		dels := serviceDeliveries(t, p2, token, pj.ID, "slack")
		pending := 0
		for _, d := range dels {
			if d.Status != "delivered" {
				pending++
			}
		}
		return len(dels) == seen && pending == 0, fmt.Sprintf("%d deliveries, %d not delivered", len(dels), pending)
	})
	if n := slack.count(); n != seen {
		t.Errorf("%d Slack messages for %d pushes", n, seen)
	}
	if _, err := os.Stat(filepath.Join(r.Bare, pushhook.SpoolDir, pushhook.RejectedDir)); !os.IsNotExist(err) {
		t.Errorf("an event was set aside: %v", err)
	}
}
