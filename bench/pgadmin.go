package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgAdmin creates and drops the empty PostgreSQL databases the benchmarks
// run on, through an admin URL: a role that may create databases, as the
// one .ci/pg-setup.sh prints.
type pgAdmin struct {
	admin string
	made  []string
}

// newPGAdmin checks that admin is a postgres:// URL and that it connects.
func newPGAdmin(ctx context.Context, admin string) (*pgAdmin, error) {
	if !strings.HasPrefix(admin, "postgres://") && !strings.HasPrefix(admin, "postgresql://") {
		return nil, errors.New("the admin database must be a postgres:// URL")
	}
	a := &pgAdmin{admin: admin}
	return a, a.exec(ctx, "SELECT 1")
}

// create makes an empty database glint_bench_<random>_<suffix> and
// returns its URL; dropAll drops it.
func (a *pgAdmin) create(ctx context.Context, suffix string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	name := "glint_bench_" + hex.EncodeToString(b[:]) + "_" + suffix
	u, err := url.Parse(a.admin)
	if err != nil {
		return "", err
	}
	u.Path, u.RawPath = "/"+name, ""
	if q := u.Query(); q.Has("dbname") {
		q.Set("dbname", name)
		u.RawQuery = q.Encode()
	}
	if err := a.exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	a.made = append(a.made, name)
	return u.String(), nil
}

// dropAll drops every database create made, closing leftover connections.
func (a *pgAdmin) dropAll() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	for _, name := range a.made {
		if err := a.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			errs = append(errs, fmt.Errorf("dropping database %s: %w", name, err))
		}
	}
	a.made = nil
	return errors.Join(errs...)
}

func (a *pgAdmin) exec(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, a.admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, stmt)
	return err
}
