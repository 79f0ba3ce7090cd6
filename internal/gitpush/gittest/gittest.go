// Package gittest makes real git repositories for tests: a bare repository
// and a clone that commits and pushes to it with the git command, with
// fixed names and dates so that object names are the same on every run.
//
// It is imported by tests only.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Need fails t when git is missing under CI (CI=true), as a test that
// cannot run there must not pass by skipping, and skips it elsewhere.
func Need(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git must be installed in CI: ", err)
		}
		t.Skip("git is not installed: ", err)
	}
}

// Base is the date of a Repo's first commit; each commit is a minute later.
const Base = 1700000000

// Repo is a bare repository and a clone of it.
type Repo struct {
	t    testing.TB
	Bare string // the bare repository (the "server")
	Work string // a clone with a work tree
	home string
	tick int
	// Env is added to every git command (after the fixed identity).
	Env []string
}

// New makes an empty bare repository whose HEAD is master and a clone of
// it, both under t.TempDir().
func New(t testing.TB) *Repo {
	t.Helper()
	Need(t)
	dir := t.TempDir()
	r := &Repo{t: t, Bare: filepath.Join(dir, "project.git"), Work: filepath.Join(dir, "work"), home: filepath.Join(dir, "home")}
	if err := os.Mkdir(r.home, 0o755); err != nil {
		t.Fatal(err)
	}
	r.run(dir, "init", "--quiet", "--bare", "--initial-branch=master", r.Bare)
	r.run(dir, "clone", "--quiet", r.Bare, r.Work)
	r.Git("checkout", "--quiet", "-B", "master")
	return r
}

// env is the environment of git: no user or system configuration, a
// fixed identity and the Repo's clock.
func (r *Repo) env() []string {
	date := fmt.Sprintf("%d +0200", Base+60*r.tick)
	env := []string{"HOME=" + r.home, "XDG_CONFIG_HOME=" + r.home, "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C", "TZ=UTC",
		"PATH=" + os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=Carl Committer", "GIT_COMMITTER_EMAIL=carl@example.com", "GIT_COMMITTER_DATE=" + date}
	return append(env, r.Env...)
}

func (r *Repo) run(dir string, args ...string) string {
	r.t.Helper()
	out, err := r.Run(dir, args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Run runs git in dir and returns its combined output.
func (r *Repo) Run(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = r.env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Git runs git in the clone and returns its output; it fails the test on
// an error.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.run(r.Work, args...)
}

// Rev is the object name a revision of the clone names.
func (r *Repo) Rev(rev string) string {
	r.t.Helper()
	return strings.TrimSpace(r.Git("rev-parse", rev))
}

// Commit writes files in the clone (a nil content removes the file),
// commits them all with message, a minute after the previous commit, and
// returns the commit's object name.
func (r *Repo) Commit(message string, files map[string]*string) string {
	r.t.Helper()
	for name, content := range files {
		path := filepath.Join(r.Work, name)
		if content == nil {
			if err := os.Remove(path); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(*content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.Git("add", "--all")
	r.Git("commit", "--quiet", "--allow-empty", "-m", message)
	r.tick++
	return r.Rev("HEAD")
}

// Tag makes a tag in the clone: annotated when message is not empty.
func (r *Repo) Tag(name, message string) {
	r.t.Helper()
	if message == "" {
		r.Git("tag", name)
	} else {
		r.Git("tag", "-a", "-m", message, name)
	}
	r.tick++
}

// Text is a file content, for Commit.
func Text(s string) *string { return &s }

// RecordPushes installs a post-receive hook in the bare repository that
// keeps what git gives it, for Pushed.
func (r *Repo) RecordPushes() {
	r.t.Helper()
	hook := "#!/bin/sh\ncat >> pushed.log\n"
	if err := os.WriteFile(filepath.Join(r.Bare, "hooks", "post-receive"), []byte(hook), 0o755); err != nil {
		r.t.Fatal(err)
	}
}

// Pushed returns the lines the recording hook received since the last
// call, and forgets them.
func (r *Repo) Pushed() string {
	r.t.Helper()
	path := filepath.Join(r.Bare, "pushed.log")
	b, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatalf("no push was recorded: %v", err)
	}
	if err := os.Remove(path); err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}
