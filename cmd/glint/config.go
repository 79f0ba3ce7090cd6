package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/app"
)

// errUsage means the flags were wrong and usage was already printed.
var errUsage = errors.New("usage")

// errHelp means --help was asked for and usage was printed: not a failure.
var errHelp = errors.New("help")

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

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

// parse parses flags, printing usage to w on error.
func parse(fs *flag.FlagSet, args []string, w io.Writer) error {
	fs.SetOutput(w)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	return nil
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
		// PrintDefaults spells the flags "-listen"; the README and the
		// messages spell them "--listen" (the flag package takes both).
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(out)
		fmt.Fprint(out, strings.ReplaceAll("\n"+b.String(), "\n  -", "\n  --")[1:])
		fmt.Fprint(out, foot)
	}
	return fs
}
