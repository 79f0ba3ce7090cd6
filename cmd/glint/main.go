// Command glint is a self-hosted server for GitLab's project Services API:
// it stores the settings of the 32 services and acts on events for them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/glint-dev/glint/internal/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `glint — GitLab's project Services API, self-hosted.

Usage:
  glint serve [flags]        run the server (SQLite in --data-dir unless --database is set)
  glint migrate up|down|status   apply, roll back (asks, or --yes) or list the schema migrations
  glint admin <command>      create users, tokens, projects and members; rotate the secret key
  glint hook <command>       send the pushes of a bare git repository to glint (install, post-receive, flush)
  glint version

Run "glint <command> --help" (or "glint help <command>") for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "admin":
		err = admin(ctx, args[1:], stdout, stderr)
	case "hook":
		err = hook(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		err = versionCmd(args[1:], stdout)
	case "help", "-h", "--help":
		if len(args) > 1 && args[1] != "help" && !wantsHelp(args[1:2]) {
			// "glint help serve" is "glint serve --help".
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "glint: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var cerr *configError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &cerr):
		fmt.Fprintln(stderr, "glint:", cerr.msg)
		return 2
	}
	fmt.Fprintln(stderr, "glint:", plainError(err))
	return 1
}

func versionCmd(args []string, stdout io.Writer) error {
	switch {
	case wantsHelp(args):
		fmt.Fprintln(stdout, "Usage: glint version\n\nPrints glint's version.")
		return nil
	case len(args) > 0:
		return &configError{fmt.Sprintf("unexpected argument %q (glint version takes none)", args[0])}
	}
	fmt.Fprintln(stdout, "glint", version)
	return nil
}

// plainError says an error in plain words: the store's sentinel errors
// ("store: not found") become what they mean for the thing named before
// them ("user bob does not exist").
func plainError(err error) string {
	msg := err.Error()
	for _, r := range []struct {
		sentinel error
		words    string
		keepTail bool // the driver's words after the sentinel's help here
	}{
		{store.ErrNotFound, " does not exist", false},
		{store.ErrConflict, " already exists", false},
		{store.ErrUnavailable, ": the database cannot be reached", true},
	} {
		if !errors.Is(err, r.sentinel) {
			continue
		}
		text := r.sentinel.Error()
		i := strings.Index(msg, text)
		if i < 0 {
			continue
		}
		head, tail := strings.TrimSuffix(msg[:i], ": "), msg[i+len(text):]
		if !r.keepTail {
			tail = ""
		}
		if head == "" {
			return strings.TrimPrefix(strings.TrimPrefix(r.words, ":"), " ") + tail
		}
		return head + r.words + tail
	}
	return msg
}
