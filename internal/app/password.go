package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

// ErrWeakPassword is a password GitLab's rules refuse.
var ErrWeakPassword = errors.New("password")

// SetPassword gives a user a new password (GitLab's rules apply), which
// also ends every web session of the user.
func SetPassword(ctx context.Context, st store.Store, username, password string) error {
	if problem := auth.PasswordProblem(password); problem != "" {
		return fmt.Errorf("%w %s", ErrWeakPassword, problem)
	}
	u, err := st.UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user %q", username)
	}
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return st.SetPasswordHash(ctx, u.ID, hash)
}

// InitialRootPasswordFile is where the first start leaves root's password.
func (c Config) InitialRootPasswordFile() string {
	return filepath.Join(c.DataDir, "initial_root_password")
}

// BootstrapPassword gives root a generated password on the first start, as
// GitLab does, and writes it to <data-dir>/initial_root_password (0600).
// Call it when Bootstrap created root; it returns the password.
func BootstrapPassword(ctx context.Context, c Config, st store.Store) (string, error) {
	pw := auth.NewPassword()
	if err := SetPassword(ctx, st, "root", pw); err != nil {
		return "", err
	}
	path := c.InitialRootPasswordFile()
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return pw, nil
}
