package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// stdin and stdinIsTerminal are where migrate down asks for confirmation;
// tests replace them.
var (
	stdin           io.Reader = os.Stdin
	stdinIsTerminal           = func() bool {
		fi, err := os.Stdin.Stat()
		return err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate up|down|status [flags]")
	cfg := dataFlags(fs)
	yes := fs.Bool("yes", false, "migrate down: roll back without asking")
	if len(args) == 0 {
		fs.SetOutput(stderr)
		fs.Usage()
		return errUsage
	}
	if wantsHelp(args[:1]) {
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelp
	}
	verb := args[0]
	if verb != "up" && verb != "down" && verb != "status" {
		fmt.Fprintf(stderr, "glint migrate: unknown verb %q (up, down, status)\n", verb)
		return errUsage
	}
	if err := parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if verb != "up" && cfg.Database == "" {
		// Opening SQLite creates the file: status and down have nothing
		// to look at, and must not make a database to say so.
		if _, err := os.Stat(cfg.SQLitePath()); errors.Is(err, os.ErrNotExist) {
			if _, derr := os.Stat(cfg.DataDir); errors.Is(derr, os.ErrNotExist) {
				return fmt.Errorf("the data directory %s does not exist: there is no database (glint migrate up or glint serve creates one)", cfg.DataDir)
			}
			return fmt.Errorf("there is no database in %s (glint migrate up or glint serve creates one)", cfg.DataDir)
		}
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
		current, err := p.GetDBVersion(ctx)
		if err != nil {
			return err
		}
		if current == 0 {
			fmt.Fprintln(stdout, "nothing to roll back")
			return nil
		}
		if !*yes {
			if err := confirmDown(current, stderr); err != nil {
				return err
			}
		}
		r, err := p.Down(ctx)
		if r != nil {
			fmt.Fprintf(stdout, "rolled back %s\n", r.Source.Path)
		}
		return err
	default:
		st, err := p.Status(ctx)
		for _, s := range st {
			fmt.Fprintf(stdout, "%-8s %s\n", s.State, s.Source.Path)
		}
		return err
	}
}

// confirmDown asks on a terminal before a roll back, which drops tables
// and their rows; without a terminal it refuses: --yes says it.
func confirmDown(version int64, stderr io.Writer) error {
	if !stdinIsTerminal() {
		return &configError{fmt.Sprintf("migrate down rolls back migration %d and drops what it created, data included: "+
			"run it again with --yes to confirm (there is no terminal to ask on)", version)}
	}
	fmt.Fprintf(stderr, "Roll back migration %d? It drops what the migration created, data included. Type yes to go on: ", version)
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return errors.New("migrate down: not confirmed, nothing rolled back")
	}
	return nil
}
