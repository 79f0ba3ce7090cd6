package main

import (
	"context"
	"fmt"
	"io"

	"github.com/glint-dev/glint/internal/store/sqlstore"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate up|down|status [flags]")
	cfg := dataFlags(fs)
	if len(args) == 0 {
		fs.SetOutput(stderr)
		fs.Usage()
		return errUsage
	}
	verb := args[0]
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	var db *sqlstore.DB
	var err error
	if cfg.Database != "" {
		db, err = sqlstore.OpenPostgres(ctx, cfg.Database, 2)
	} else {
		db, err = sqlstore.OpenSQLite(cfg.SQLitePath())
	}
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Provider()
	if err != nil {
		return err
	}
	switch verb {
	case "up":
		res, err := p.Up(ctx)
		for _, r := range res {
			fmt.Fprintf(stdout, "applied %s (%s)\n", r.Source.Path, r.Duration)
		}
		if err == nil && len(res) == 0 {
			fmt.Fprintln(stdout, "nothing to apply")
		}
		return err
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			fmt.Fprintf(stdout, "rolled back %s\n", r.Source.Path)
		}
		return err
	case "status":
		st, err := p.Status(ctx)
		for _, s := range st {
			fmt.Fprintf(stdout, "%-8s %s\n", s.State, s.Source.Path)
		}
		return err
	}
	fmt.Fprintf(stderr, "glint migrate: unknown verb %q (up, down, status)\n", verb)
	return errUsage
}
