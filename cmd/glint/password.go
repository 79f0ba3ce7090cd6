package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/store"
)

// setPasswordCmd is "glint admin set-password --username U": the password
// comes from the terminal (asked twice, not echoed) or from standard input
// (its first line).
func setPasswordCmd(fs *flag.FlagSet) func(ctx context.Context, st store.Store, cfg *app.Config, out io.Writer) error {
	username := fs.String("username", "", "the user whose password to set")
	return func(ctx context.Context, st store.Store, cfg *app.Config, out io.Writer) error {
		if err := required("username", *username); err != nil {
			return err
		}
		pw, err := readPassword(out)
		if err != nil {
			return err
		}
		if err := app.SetPassword(ctx, st, *username, pw); err != nil {
			return err
		}
		fmt.Fprintf(out, "Password of %s changed; its web sessions have ended.\n", *username)
		return nil
	}
}

func readPassword(out io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(out, "New password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			return "", err
		}
		fmt.Fprint(out, "Confirm password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords do not match")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
