package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/glint-dev/glint/internal/gitpush"
	"github.com/glint-dev/glint/internal/pushhook"
)

const hookUsage = `Usage: glint hook <command>

Commands:
  install <repo.git> --url URL --project ID_OR_PATH --token TOKEN [--web-url URL]
          [--commit-url TEMPLATE] [--compare-url TEMPLATE] [--clone-url URL] [--timeout 5s]
                  store the settings in the repository's git config (glint.*) and write its
                  post-receive hook (an existing hook is kept and run after glint's)
  post-receive    what the hook runs: read "<old> <new> <ref>" lines, send GitLab push events;
                  never fails the push (what cannot be sent is spooled in <repo>/glint-spool)
  flush <repo.git> [--timeout 5s]
                  send the spooled events now, in order; exit 1 if some are left

The pusher is GLINT_PUSHER_NAME, GLINT_PUSHER_EMAIL and GLINT_PUSHER_USERNAME when set (SSH
wrappers, gitolite), else the committer of the newest commit. See docs/git-hook.md.
`

func hook(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, hookUsage)
		return errUsage
	}
	switch args[0] {
	case "install":
		return hookInstall(args[1:], stdout, stderr)
	case "post-receive":
		hookPostReceive(ctx, args[1:], os.Stdin, stderr)
		return nil
	case "flush":
		return hookFlush(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, hookUsage)
		return nil
	}
	fmt.Fprintf(stderr, "glint hook: unknown command %q\n\n%s", args[0], hookUsage)
	return errUsage
}

func hookFlagSet(name, synopsis string) *flag.FlagSet {
	return flagSetWith(name, "Usage: glint hook "+synopsis+"\n\nFlags:\n", "")
}

// parseWithRepo parses flags around one positional argument, the
// repository, which may come before or after them.
func parseWithRepo(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (string, error) {
	var repo string
	switch {
	case wantsHelp(args):
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		repo, args = args[0], args[1:]
	default:
		// Flags before the repository: the flag package stops at it.
		fs.SetOutput(stderr)
		if err := fs.Parse(args); err != nil {
			return "", errUsage
		}
		args = nil
		if fs.NArg() > 0 {
			repo, args = fs.Arg(0), fs.Args()[1:]
		}
	}
	if err := parse(fs, args, stdout, stderr); err != nil {
		return "", err
	}
	if repo == "" {
		fmt.Fprintln(stderr, "glint hook: give one repository")
		fs.Usage()
		return "", errUsage
	}
	return repo, nil
}

func hookInstall(args []string, stdout, stderr io.Writer) error {
	fs := hookFlagSet("install", "install <repo.git> --url URL --project ID_OR_PATH --token TOKEN [flags]")
	var c pushhook.Config
	fs.StringVar(&c.URL, "url", "", "glint's base URL (http://glint.example.com)")
	fs.StringVar(&c.Project, "project", "", "glint's project: its id or full path (group/project)")
	fs.StringVar(&c.Token, "token", "", "the project's intake token (glint admin intake-token, or PUT .../intake_token)")
	fs.StringVar(&c.WebURL, "web-url", "", "the project's page in the repository browser (web_url of the payloads)")
	fs.StringVar(&c.CommitURL, "commit-url", "", "a commit's page, {sha} standing for its id (default <web-url>/commit/{sha})")
	fs.StringVar(&c.CompareURL, "compare-url", "", "the page comparing two commits, with {before} and {after} (glint_compare_url)")
	fs.StringVar(&c.CloneURL, "clone-url", "", "the repository's clone URL (url, git_ssh_url or git_http_url of the payloads)")
	fs.DurationVar(&c.Timeout, "timeout", pushhook.DefaultTimeout, "how long a push waits for glint before the event is spooled")
	glint := fs.String("glint", "", "the glint binary the hook runs (default: this one)")
	repo, err := parseWithRepo(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if *glint == "" {
		if *glint, err = os.Executable(); err != nil {
			return err
		}
	}
	if *glint, err = filepath.Abs(*glint); err != nil {
		return err
	}
	in, err := pushhook.Install(repo, c, *glint)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Installed %s (runs %s hook post-receive).\n", in.Hook, *glint)
	if in.Chained != "" {
		fmt.Fprintf(stdout, "The hook that was there runs after it: %s\n", in.Chained)
	}
	fmt.Fprintf(stdout, "Settings: git --git-dir %s config --get-regexp '^glint\\.'\n", repo)
	return nil
}

// hookPostReceive never fails: a push must not be refused or held up by
// glint. Its warnings go to stderr, which git shows the pusher.
func hookPostReceive(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(stderr, "glint hook: internal error, nothing sent:", r)
		}
	}()
	fs := hookFlagSet("post-receive", "post-receive [--repo DIR]")
	dir := fs.String("repo", env("GIT_DIR", "."), "the repository (default $GIT_DIR, as git sets it for hooks)")
	if err := parse(fs, args, stderr, stderr); err != nil {
		return
	}
	pusher := gitpush.Pusher{Name: os.Getenv("GLINT_PUSHER_NAME"), Email: os.Getenv("GLINT_PUSHER_EMAIL"),
		Username: os.Getenv("GLINT_PUSHER_USERNAME")}
	pushhook.PostReceive(ctx, *dir, stdin, pusher, "glint-hook/"+version, stderr)
}

func hookFlush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := hookFlagSet("flush", "flush <repo.git> [--timeout 30s]")
	timeout := fs.Duration("timeout", 0, "how long to wait for glint in all (default: glint.timeout of the repository, else 5s)")
	repo, err := parseWithRepo(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	r, err := pushhook.FlushRepo(ctx, repo, *timeout, "glint-hook/"+version)
	if err != nil {
		return err
	}
	for _, p := range r.Problems {
		fmt.Fprintln(stderr, "glint hook: set aside:", p)
	}
	fmt.Fprintf(stdout, "%d sent, %d set aside, %d left\n", r.Sent, r.Rejected, r.Left)
	if r.Left > 0 {
		return fmt.Errorf("%d event(s) still spooled: %v", r.Left, r.Err)
	}
	return nil
}
