package gitpush_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/gitpush"
	"github.com/glint-dev/glint/internal/gitpush/gittest"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

var text = gittest.Text

// settings are the hook settings of the golden payloads.
var settings = gitpush.Settings{
	ProjectPath: "acme/widgets",
	Description: "Widgets for everyone",
	WebURL:      "https://git.example.com/acme/widgets",
	CompareURL:  "https://git.example.com/acme/widgets/compare/{before}..{after}",
	CloneURL:    "ssh://git@git.example.com/acme/widgets.git",
}

// build parses what the recording hook received and builds the events,
// each checked to be accepted by glint's own parser as what it says.
func build(t *testing.T, r *gittest.Repo, s gitpush.Settings) []*gitpush.Event {
	t.Helper()
	updates, errs := gitpush.ParseUpdates(strings.NewReader(r.Pushed()))
	if len(errs) > 0 {
		t.Fatalf("the hook's input does not parse: %v", errs)
	}
	repo, err := git.PlainOpen(r.Bare)
	if err != nil {
		t.Fatal(err)
	}
	b := gitpush.NewBuilder(repo, s)
	var out []*gitpush.Event
	for _, u := range updates {
		ev, err := b.Build(context.Background(), u)
		if err != nil {
			t.Fatalf("Build(%+v): %v", u, err)
		}
		body, err := json.Marshal(ev.Payload)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := event.Parse(ev.Header, body)
		if err != nil {
			t.Fatalf("glint's intake refuses the payload of %s: %v", u.Ref, err)
		}
		if parsed.Push == nil || parsed.Push.Ref != u.Ref || parsed.Push.Before != u.Old || parsed.Push.After != u.New {
			t.Fatalf("the payload of %s parses as %+v", u.Ref, parsed.Push)
		}
		out = append(out, ev)
	}
	return out
}

// golden compares the events with testdata/<name>.golden.
func golden(t *testing.T, name string, events []*gitpush.Event) {
	t.Helper()
	var buf bytes.Buffer
	for _, ev := range events {
		body, err := json.MarshalIndent(ev.Payload, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&buf, "# X-Gitlab-Event: %s\n%s\n", ev.Header, body)
	}
	integrationtest.Golden(t, filepath.Join("testdata", name+".golden"), buf.Bytes())
}

// pushOne runs git push with args and builds its one event.
func pushOne(t *testing.T, r *gittest.Repo, s gitpush.Settings, args ...string) *gitpush.Payload {
	t.Helper()
	r.Git(append([]string{"push", "--quiet"}, args...)...)
	return one(t, build(t, r, s))
}

func one(t *testing.T, events []*gitpush.Event) *gitpush.Payload {
	t.Helper()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	return events[0].Payload
}

func ids(p *gitpush.Payload) []string {
	var out []string
	for _, c := range p.Commits {
		out = append(out, c.ID)
	}
	return out
}

// TestPushGolden pushes with real git to a bare repository, one kind of
// update after another, and compares each payload with its golden file:
// the first push of the default branch, a branch push with commits that
// add, modify, remove and rename files, a new branch, an annotated and a
// lightweight tag, a deleted branch and tag, and a force push.
func TestPushGolden(t *testing.T) {
	r := gittest.New(t)
	r.RecordPushes()

	c1 := r.Commit("Initial commit\n\nWith a body.", map[string]*string{"README.md": text("# Widgets\n"), "main.go": text("package main\n\nfunc main() {}\n")})
	c2 := r.Commit("Add the docs", map[string]*string{"docs/index.md": text("Docs.\n")})
	p := pushOne(t, r, settings, "origin", "master")
	if p.Before != gitpush.BlankSHA || p.After != c2 || p.TotalCommitsCount != 2 || !slices.Equal(ids(p), []string{c1, c2}) {
		t.Errorf("new default branch: before %s after %s, commits %v (%d), want the whole history", p.Before, p.After, ids(p), p.TotalCommitsCount)
	}
	if p.GlintCompareURL != "" {
		t.Errorf("a new branch has a compare URL: %s", p.GlintCompareURL)
	}
	golden(t, "new_default_branch", []*gitpush.Event{{Header: "Push Hook", Payload: p}})

	c3 := r.Commit("Rework main\n\nCloses #12.", map[string]*string{
		"main.go": text("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"widgets\")\n}\n"),
		"LICENSE": text("MIT\n"), "docs/index.md": nil, "docs/guide.md": text("Docs.\n"),
	})
	c4 := r.Commit(strings.Repeat("A title long enough to be cut by GitLab's rule ", 3), map[string]*string{"logo.png": text("\x89PNG\r\n\x1a\n\x00\x00binary")})
	p = pushOne(t, r, settings, "origin", "master")
	if p.Before != c2 || p.After != c4 || !slices.Equal(ids(p), []string{c3, c4}) || p.TotalCommitsCount != 2 {
		t.Errorf("branch push: %s..%s commits %v", p.Before, p.After, ids(p))
	}
	golden(t, "branch_push", []*gitpush.Event{{Header: "Push Hook", Payload: p}})

	r.Git("checkout", "--quiet", "-b", "feature")
	c5 := r.Commit("Feature work", map[string]*string{"feature.txt": text("on\n")})
	p = pushOne(t, r, settings, "origin", "feature")
	if !slices.Equal(ids(p), []string{c5}) || p.TotalCommitsCount != 1 {
		t.Errorf("new branch lists %v, want only the commit not on master", ids(p))
	}
	golden(t, "new_branch", []*gitpush.Event{{Header: "Push Hook", Payload: p}})

	r.Tag("v1.0", "Release 1.0\n\nThe first one.")
	r.Tag("v1.1", "")
	r.Git("push", "--quiet", "origin", "v1.0", "v1.1")
	tags := build(t, r, settings)
	if len(tags) != 2 {
		t.Fatalf("%d tag events, want 2", len(tags))
	}
	for _, ev := range tags {
		if ev.Header != "Tag Push Hook" || *ev.Payload.CheckoutSHA != c5 || !slices.Equal(ids(ev.Payload), []string{c5}) {
			t.Errorf("tag %s: %s checkout %v commits %v", ev.Payload.Ref, ev.Header, *ev.Payload.CheckoutSHA, ids(ev.Payload))
		}
	}
	annotated := tags[0].Payload
	if annotated.Ref != "refs/tags/v1.0" || annotated.After == c5 || annotated.Message == nil || *annotated.Message != "Release 1.0\n\nThe first one." {
		t.Errorf("annotated tag: after %s, message %v", annotated.After, annotated.Message)
	}
	if light := tags[1].Payload; light.After != c5 || light.Message != nil {
		t.Errorf("lightweight tag: after %s message %v", light.After, light.Message)
	}
	golden(t, "new_tags", tags)

	r.Git("push", "--quiet", "origin", ":feature", ":v1.1")
	deleted := build(t, r, settings)
	for _, ev := range deleted {
		p := ev.Payload
		if p.After != gitpush.BlankSHA || p.CheckoutSHA != nil || len(p.Commits) != 0 || p.TotalCommitsCount != 0 || p.GlintDiffs != nil {
			t.Errorf("delete of %s: after %s checkout %v, %d commits, diffs %v", p.Ref, p.After, p.CheckoutSHA, len(p.Commits), p.GlintDiffs)
		}
	}
	golden(t, "deleted_refs", deleted)

	r.Git("checkout", "--quiet", "master")
	r.Git("reset", "--quiet", "--hard", c3)
	c6 := r.Commit("Rewrite history", map[string]*string{"README.md": text("# Widgets, again\n")})
	p = pushOne(t, r, settings, "--force", "origin", "master")
	if p.Before != c4 || p.After != c6 || !slices.Equal(ids(p), []string{c6}) || p.TotalCommitsCount != 1 {
		t.Errorf("force push: %s..%s commits %v, want %s..%s with only the new commit", p.Before, p.After, ids(p), c4, c6)
	}
	if p.GlintDiffs == nil || len(*p.GlintDiffs) != 1 || (*p.GlintDiffs)[0].NewPath != "README.md" {
		t.Errorf("force push: diffs %+v, want README.md against the merge base", p.GlintDiffs)
	}
	golden(t, "force_push", []*gitpush.Event{{Header: "Push Hook", Payload: p}})

	// A rewind lists nothing and has an empty diff.
	r.Git("reset", "--quiet", "--hard", c3)
	p = pushOne(t, r, settings, "--force", "origin", "master")
	if len(p.Commits) != 0 || p.TotalCommitsCount != 0 || p.GlintDiffs == nil || len(*p.GlintDiffs) != 0 {
		t.Errorf("rewind: commits %v, diffs %v; want none and an empty list", ids(p), p.GlintDiffs)
	}
}

// TestPushManyCommits: a push of 25 commits lists the 20 newest, oldest
// first, and counts 25.
func TestPushManyCommits(t *testing.T) {
	r := gittest.New(t)
	r.RecordPushes()
	r.Commit("base", map[string]*string{"n": text("0\n")})
	r.Git("push", "--quiet", "origin", "master")
	r.Pushed()
	var made []string
	for i := 1; i <= 25; i++ {
		made = append(made, r.Commit(fmt.Sprintf("commit %d", i), map[string]*string{"n": text(fmt.Sprintf("%d\n", i))}))
	}
	p := pushOne(t, r, settings, "origin", "master")
	if p.TotalCommitsCount != 25 || !slices.Equal(ids(p), made[5:]) {
		t.Errorf("25 commits: total %d, listed %d (%v)", p.TotalCommitsCount, len(p.Commits), ids(p))
	}
	if p.GlintDiffs == nil || len(*p.GlintDiffs) != 1 || (*p.GlintDiffs)[0].Diff != "@@ -1 +1 @@\n-0\n+25\n" {
		t.Errorf("diffs %+v, want the one change of n from before to after", p.GlintDiffs)
	}
}

// TestPusher: the pusher given wins over the committer.
func TestPusher(t *testing.T) {
	r := gittest.New(t)
	r.RecordPushes()
	r.Commit("one", map[string]*string{"a": text("a\n")})
	r.Git("push", "--quiet", "origin", "master")
	s := settings
	s.ProjectID, s.ProjectPath = 7, ""
	s.Pusher = gitpush.Pusher{Name: "Pat Pusher", Email: "pat@example.com", Username: "pat"}
	p := one(t, build(t, r, s))
	if p.UserName != "Pat Pusher" || p.UserEmail != "pat@example.com" || p.UserUsername != "pat" {
		t.Errorf("user %q %q %q, want the pusher", p.UserName, p.UserEmail, p.UserUsername)
	}
	if p.ProjectID == nil || *p.ProjectID != 7 || p.Project.ID == nil || *p.Project.ID != 7 || p.Project.Name != "" {
		t.Errorf("project by id: project_id %v, project %+v", p.ProjectID, p.Project)
	}
}

// TestPayloadHasGitLabKeys: every key of GitLab's push and tag push
// fixtures (at every level) is in the payloads.
func TestPayloadHasGitLabKeys(t *testing.T) {
	r := gittest.New(t)
	r.RecordPushes()
	r.Commit("one", map[string]*string{"a": text("a\n")})
	r.Tag("v1", "")
	r.Git("push", "--quiet", "origin", "master", "v1")
	events := build(t, r, settings)
	for i, name := range []string{"push.json", "tag_push.json"} {
		fix, err := os.ReadFile(filepath.Join("..", "event", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(events[i].Payload)
		if err != nil {
			t.Fatal(err)
		}
		var want, got map[string]any
		if err := json.Unmarshal(fix, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range missingKeys("", want, got) {
			t.Errorf("%s: the payload has no %s", name, k)
		}
	}
}

// missingKeys lists the dotted keys of want that got lacks (for arrays of
// objects, those of the first element).
func missingKeys(prefix string, want, got any) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, prefix+k)
				continue
			}
			out = append(out, missingKeys(prefix+k+".", v, gv)...)
		}
	case []any:
		g, _ := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			out = append(out, missingKeys(prefix+"0.", w[0], g[0])...)
		}
	}
	return out
}

var _ = flag.Bool // the -update flag is integrationtest's

// TestDiffBounds: glint_diffs stops at MaxDiffFiles files or MaxDiffBytes
// of diff text, and says so; under the bounds it is whole.
func TestDiffBounds(t *testing.T) {
	r := gittest.New(t)
	r.RecordPushes()
	r.Commit("base", map[string]*string{"keep": text("k\n")})
	r.Git("push", "--quiet", "origin", "master")
	r.Pushed()

	many := map[string]*string{}
	for i := range gitpush.MaxDiffFiles + 1 {
		many[fmt.Sprintf("f%03d", i)] = text(fmt.Sprintf("%d\n", i))
	}
	r.Commit("many files", many)
	p := pushOne(t, r, settings, "origin", "master")
	if len(*p.GlintDiffs) != gitpush.MaxDiffFiles || !p.GlintDiffsTruncated || (*p.GlintDiffs)[0].NewPath != "f000" {
		t.Errorf("%d files: %d diffs, truncated %v", gitpush.MaxDiffFiles+1, len(*p.GlintDiffs), p.GlintDiffsTruncated)
	}

	big := strings.Repeat("a line of text that makes the file big\n", gitpush.MaxDiffBytes/39+1)
	r.Commit("a big file and a small one", map[string]*string{"a-small": text("s\n"), "big": text(big)})
	p = pushOne(t, r, settings, "origin", "master")
	if len(*p.GlintDiffs) != 1 || (*p.GlintDiffs)[0].NewPath != "a-small" || !p.GlintDiffsTruncated {
		t.Errorf("over %d bytes: diffs %d, truncated %v", gitpush.MaxDiffBytes, len(*p.GlintDiffs), p.GlintDiffsTruncated)
	}

	r.Commit("small", map[string]*string{"keep": text("k2\n")})
	p = pushOne(t, r, settings, "origin", "master")
	if len(*p.GlintDiffs) != 1 || p.GlintDiffsTruncated {
		t.Errorf("one small change: %d diffs, truncated %v", len(*p.GlintDiffs), p.GlintDiffsTruncated)
	}
	body, _ := json.Marshal(p)
	if strings.Contains(string(body), "glint_diffs_truncated") {
		t.Errorf("glint_diffs_truncated is sent when false")
	}
}

// TestNewDefaultBranchManyCommits: the first push of the default branch
// counts its whole history and lists the 20 newest, oldest first.
func TestNewDefaultBranchManyCommits(t *testing.T) {
	r := gittest.New(t)
	r.RecordPushes()
	var made []string
	for i := range 22 {
		made = append(made, r.Commit(fmt.Sprint("commit ", i), map[string]*string{"n": text(fmt.Sprint(i, "\n"))}))
	}
	p := pushOne(t, r, settings, "origin", "master")
	if p.TotalCommitsCount != 22 || !slices.Equal(ids(p), made[2:]) {
		t.Errorf("total %d, listed %v; want 22 and the 20 newest", p.TotalCommitsCount, ids(p))
	}
	if d := *p.GlintDiffs; len(d) != 1 || !d[0].NewFile || d[0].Diff != "@@ -0,0 +1 @@\n+21\n" {
		t.Errorf("diffs %+v, want n as a new file against the empty tree", d)
	}
}
