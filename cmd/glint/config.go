package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/glint-dev/glint/internal/app"
)

// errUsage means the flags were wrong and usage was already printed.
var errUsage = errors.New("usage")

// errHelp means --help was asked for and usage was printed: not a failure.
var errHelp = errors.New("help")

// env, envInt, envDuration and envBool give a flag's default. The
// environment is not read here but by applyEnv, strictly, once the command
// line is parsed (envflag.go): name them in the flag's usage as
// "(env NAME)".
func env(_, def string) string { return def }

func envInt(_ string, def int) int { return def }

func envDuration(_ string, def time.Duration) time.Duration { return def }

func envBool(string) bool { return false }

// dataFlags registers the flags every command needs to reach the data.
func dataFlags(fs *flag.FlagSet) *app.Config {
	c := &app.Config{SecretKey: os.Getenv("GLINT_SECRET_KEY")}
	fs.StringVar(&c.DataDir, "data-dir", env("GLINT_DATA_DIR", "./glint-data"),
		"directory for the SQLite database, the secret key and the root token (env GLINT_DATA_DIR)")
	fs.StringVar(&c.Database, "database", env("GLINT_DATABASE", ""),
		"PostgreSQL URL (postgres://user:pass@host/db); empty uses SQLite in --data-dir (env GLINT_DATABASE)")
	fs.IntVar(&c.PoolSize, "db-pool-size", envInt("GLINT_DB_POOL_SIZE", 10),
		"maximum PostgreSQL connections of this node (env GLINT_DB_POOL_SIZE)")
	return c
}

// parse parses a command's flags: help (-h, --help, or "help" first) is
// usage on stdout; a wrong flag is usage on stderr; an argument that is
// not a flag is refused; then the environment sets the flags the command
// line did not (applyEnv). Every flag of serve has a variable; the other
// commands read only the ones their usage names.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelp
	}
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return &configError{fmt.Sprintf("unexpected argument %q (glint %s takes flags only: see glint %s --help)", fs.Arg(0), fs.Name(), fs.Name())}
	}
	return applyEnv(fs, fs.Name() == "serve")
}

func newFlagSet(name, synopsis string) *flag.FlagSet {
	return flagSetWith(name, "Usage: glint "+synopsis+"\n\nFlags (each also read from the environment variable named):\n",
		"\nThe secret key sealing service secrets comes from GLINT_SECRET_KEY (base64, current key first, comma-separated)\nor from <data-dir>/secret.key, generated on first start.\n")
}

// flagSetWith is a flag set whose usage is head, the flags, and foot.
func flagSetWith(name, head, foot string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, head)
		printFlags(out, fs)
		fmt.Fprint(out, foot)
	}
	return fs
}
