package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/store"
)

// progressTo prints a running count on one terminal line.
func progressTo(w io.Writer, verb string) func(int) {
	return func(n int) { fmt.Fprintf(w, "\r%s %d rows...", verb, n) }
}

func exportCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	file := fs.String("file", "-", "where to write the export; - is standard output")
	return func(ctx context.Context, st store.Store, _ *app.Config, out io.Writer) error {
		d, ok := st.(store.Dumper)
		if !ok {
			return errors.New("this store cannot export")
		}
		w, status := out, os.Stderr
		var f *os.File
		if *file != "-" {
			var err error
			if f, err = os.OpenFile(*file, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600); err != nil {
				return err
			}
			defer f.Close() // a second Close after the checked one is harmless
			w = f
		}
		n, err := app.Export(ctx, d, w, progressTo(status, "exported"))
		if err != nil {
			return err
		}
		if f != nil {
			// A full disk may only say so on Sync or Close: an export
			// that was not written whole is a failure, not "exported".
			if err := f.Sync(); err != nil {
				return fmt.Errorf("writing %s: %w", *file, err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("writing %s: %w", *file, err)
			}
		}
		fmt.Fprintf(status, "\rexported %d rows\n", n)
		return nil
	}
}

func importCmd(fs *flag.FlagSet) func(context.Context, store.Store, *app.Config, io.Writer) error {
	file := fs.String("file", "-", "the export to read; - is standard input")
	sourceKey := fs.String("source-key", "", "the exporting instance's secret key(s), base64, if the target's key differs")
	return func(ctx context.Context, st store.Store, cfg *app.Config, out io.Writer) error {
		d, ok := st.(store.Dumper)
		if !ok {
			return errors.New("this store cannot import")
		}
		target, err := app.LoadKeys(ctx, *cfg, st)
		if err != nil {
			return err
		}
		var source *secret.Keyring
		if *sourceKey != "" {
			keys, err := secret.ParseKeys(*sourceKey)
			if err != nil {
				return fmt.Errorf("--source-key: %w", err)
			}
			if source, err = secret.NewKeyring(keys...); err != nil {
				return err
			}
		}
		var r io.Reader = os.Stdin
		if *file != "-" {
			f, err := os.Open(*file)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		n, err := app.Import(ctx, d, r, target, source, progressTo(os.Stderr, "imported"))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\rimported %d rows\n", n)
		return nil
	}
}
