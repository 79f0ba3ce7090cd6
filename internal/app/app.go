// Package app wires glint's parts together for the commands: it opens the
// store named by the configuration, loads the secret keys and checks them
// against the database, and performs the first-start set-up.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// Config is what every command needs to reach the data.
type Config struct {
	DataDir   string
	Database  string // a postgres:// URL; empty means SQLite in DataDir
	PoolSize  int
	SecretKey string // GLINT_SECRET_KEY; empty means DataDir/secret.key
}

// KeyFile is where the key lives when not given by the environment.
func (c Config) KeyFile() string { return filepath.Join(c.DataDir, "secret.key") }

// SQLitePath is the embedded database file.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "glint.db") }

// OpenStore opens and migrates the configured database.
func OpenStore(ctx context.Context, c Config) (*sqlstore.DB, error) {
	var db *sqlstore.DB
	var err error
	if c.Database != "" {
		if !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
			return nil, errors.New("--database must be a postgres:// URL (leave it empty for the embedded SQLite)")
		}
		db, err = sqlstore.OpenPostgres(ctx, c.Database, c.PoolSize)
	} else {
		db, err = sqlstore.OpenSQLite(c.SQLitePath())
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	return db, nil
}

const keyIDSetting = "secret_key_id"

// LoadKeys loads the keyring and checks it can open what the database
// holds: a node with another key refuses to start rather than failing to
// decrypt later.
func LoadKeys(ctx context.Context, c Config, st store.Store) (*secret.Keyring, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	k, _, err := secret.Load(c.SecretKey, c.KeyFile())
	if err != nil {
		return nil, err
	}
	stored, err := st.SetSettingIfAbsent(ctx, keyIDSetting, k.CurrentID())
	if err != nil {
		return nil, err
	}
	if !k.Has(stored) {
		return nil, fmt.Errorf("the secret key (id %s) is not the one this database's secrets are sealed with (id %s): "+
			"give every node the same GLINT_SECRET_KEY or secret.key", k.CurrentID(), stored)
	}
	return k, nil
}

// Bootstrap creates the root admin and its token on an empty database. It
// returns the token text, or "" when there was nothing to do.
func Bootstrap(ctx context.Context, c Config, st store.Store) (string, error) {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	root := &store.User{Username: "root", Name: "Administrator", Email: "admin@example.com", Admin: true}
	if err := st.CreateUser(ctx, root); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return "", nil // another node got there first
		}
		return "", err
	}
	text := auth.NewToken()
	t := &store.Token{UserID: root.ID, Name: "root-bootstrap", Hash: auth.Hash(text), Scopes: []string{auth.ScopeAPI}}
	if err := st.CreateToken(ctx, t); err != nil {
		return "", err
	}
	path := filepath.Join(c.DataDir, "root-token")
	if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return text, nil
}

// Reseal seals every stored secret again under the keyring's current key
// and records that key as the database's. It reports how many services
// changed; progress, if not nil, is called after each service.
func Reseal(ctx context.Context, st store.Store, k *secret.Keyring, progress func(done int)) (int, error) {
	changed, done := 0, 0
	err := st.AllServices(ctx, func(sv *store.Service) error {
		done++
		defer func() {
			if progress != nil {
				progress(done)
			}
		}()
		if _, ok := catalog.Lookup(sv.Slug); !ok || len(sv.Sealed) == 0 {
			return nil
		}
		out := make(map[string]string, len(sv.Sealed))
		dirty := false
		for name, sealed := range sv.Sealed {
			v, err := k.Reseal(sealed, settings.AD(sv.Slug, name))
			if err != nil {
				return fmt.Errorf("service %d (%s) field %s: %w", sv.ID, sv.Slug, name, err)
			}
			out[name] = v
			dirty = dirty || v != sealed
		}
		if !dirty {
			return nil
		}
		changed++
		return st.ReplaceSealed(ctx, sv.ID, out)
	})
	if err != nil {
		return changed, err
	}
	if err := resealGitLabSources(ctx, st, k); err != nil {
		return changed, err
	}
	return changed, st.SetSetting(ctx, keyIDSetting, k.CurrentID())
}

// RotateKeyFile makes a new key the current one in the key file, keeping
// the old ones for opening until Reseal has run, then drops them.
func RotateKeyFile(ctx context.Context, c Config, st store.Store, progress func(int)) (int, error) {
	if c.SecretKey != "" {
		// The environment holds the keys: the operator puts the new key
		// first and the old after it; here everything is resealed.
		k, err := LoadKeys(ctx, c, st)
		if err != nil {
			return 0, err
		}
		return Reseal(ctx, st, k, progress)
	}
	old, err := LoadKeys(ctx, c, st)
	if err != nil {
		return 0, err
	}
	keys := append([][]byte{secret.NewKey()}, old.Keys()...)
	if err := secret.WriteKeyFile(c.KeyFile(), keys...); err != nil {
		return 0, err
	}
	k, err := secret.NewKeyring(keys...)
	if err != nil {
		return 0, err
	}
	n, err := Reseal(ctx, st, k, progress)
	if err != nil {
		return n, err
	}
	return n, secret.WriteKeyFile(c.KeyFile(), keys[0])
}

// resealGitLabSources seals the projects' GitLab source tokens again under
// the keyring's current key.
func resealGitLabSources(ctx context.Context, st store.Store, k *secret.Keyring) error {
	srcs, err := st.GitLabSources(ctx)
	if err != nil {
		return err
	}
	for _, src := range srcs {
		v, err := k.Reseal(src.SealedToken, settings.GitLabSourceTokenAD)
		if err != nil {
			return fmt.Errorf("project %d's GitLab source: %w", src.ProjectID, err)
		}
		if v == src.SealedToken {
			continue
		}
		src.SealedToken = v
		if err := st.PutGitLabSource(ctx, &src); err != nil {
			return err
		}
	}
	return nil
}
