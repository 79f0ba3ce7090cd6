// Command glint is a self-hosted server for GitLab's project Services API:
// it stores the settings of the 32 services and acts on events for them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `glint — GitLab's project Services API, self-hosted.

Usage:
  glint serve [flags]        run the server (SQLite in --data-dir unless --database is set)
  glint migrate up|down|status
  glint admin <command>      create users, tokens, projects and members; rotate the secret key
  glint hook <command>       send the pushes of a bare git repository to glint (install, post-receive, flush)
  glint version

Run "glint <command> --help" for the flags of a command.
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
		fmt.Fprintln(stdout, "glint", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "glint: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == errUsage {
		return 2
	}
	if err == errHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "glint:", err)
		return 1
	}
	return 0
}
