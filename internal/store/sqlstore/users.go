package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

const userColumns = `id, username, name, email, admin, namespace_id, created_at`

func scanUser(r scanner) (*store.User, error) {
	var u store.User
	var created int64
	if err := r.Scan(&u.ID, &u.Username, &u.Name, &u.Email, &u.Admin, &u.NamespaceID, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// CreateUser inserts the user and its personal namespace in one
// transaction.
func (s *DB) CreateUser(ctx context.Context, u *store.User) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (username, username_lower, name, email, admin, created_at, password_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			u.Username, strings.ToLower(u.Username), u.Name, u.Email, u.Admin, micros(now), u.PasswordHash).Scan(&u.ID)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO namespaces (name, path, full_path, full_path_lower, kind, owner_id, created_at)
			VALUES ($1, $2, $2, $3, 'user', $4, $5) RETURNING id`,
			u.Username, u.Username, strings.ToLower(u.Username), u.ID, micros(now)).Scan(&u.NamespaceID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET namespace_id = $1 WHERE id = $2`, u.NamespaceID, u.ID)
		u.CreatedAt = now
		return err
	})
}

func (s *DB) User(ctx context.Context, id int64) (*store.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, s.wrap(err)
}

func (s *DB) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username_lower = $1`, strings.ToLower(username)))
	return u, s.wrap(err)
}

func (s *DB) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, s.wrap(err)
	}
	return collect(rows, scanUser)
}

func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, s.wrap(err)
}

// DeleteUser removes the user, its tokens and memberships, and its personal
// namespace with the projects in it.
func (s *DB) DeleteUser(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM namespaces WHERE kind = 'user' AND owner_id = $1`, id)
		return err
	})
}

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

const tokenColumns = `id, user_id, name, hash, scopes, expires_at, revoked, created_at, last_used_at`

func scanToken(r scanner) (*store.Token, error) {
	var t store.Token
	var scopes string
	var created int64
	var expires, used sql.NullInt64
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &scopes, &expires, &t.Revoked, &created, &used); err != nil {
		return nil, err
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.ExpiresAt = fromOptMicros(expires)
	t.LastUsedAt = fromOptMicros(used)
	t.CreatedAt = fromMicros(created)
	return &t, nil
}

func (s *DB) CreateToken(ctx context.Context, t *store.Token) error {
	t.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	err := s.queryRow(ctx, `INSERT INTO tokens (user_id, name, hash, scopes, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		t.UserID, t.Name, t.Hash, strings.Join(t.Scopes, ","), optMicros(t.ExpiresAt), micros(t.CreatedAt)).Scan(&t.ID)
	return s.wrap(err)
}

func (s *DB) TokenByHash(ctx context.Context, hash string) (*store.Token, error) {
	t, err := scanToken(s.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	return t, s.wrap(err)
}

func (s *DB) TokenUser(ctx context.Context, hash string) (*store.Token, *store.User, error) {
	var t store.Token
	var u store.User
	var scopes string
	var created, uCreated int64
	var expires, used sql.NullInt64
	err := s.queryRow(ctx, `SELECT t.id, t.user_id, t.name, t.hash, t.scopes, t.expires_at, t.revoked, t.created_at, t.last_used_at, `+userColumnsU+`
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash).
		Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &scopes, &expires, &t.Revoked, &created, &used,
			&u.ID, &u.Username, &u.Name, &u.Email, &u.Admin, &u.NamespaceID, &uCreated)
	if err != nil {
		return nil, nil, s.wrap(err)
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.ExpiresAt, t.LastUsedAt = fromOptMicros(expires), fromOptMicros(used)
	t.CreatedAt, u.CreatedAt = fromMicros(created), fromMicros(uCreated)
	return &t, &u, nil
}

func (s *DB) Token(ctx context.Context, id int64) (*store.Token, error) {
	t, err := scanToken(s.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id))
	return t, s.wrap(err)
}

func (s *DB) Tokens(ctx context.Context, userID int64) ([]store.Token, error) {
	// No "$1 = 0 OR user_id = $1": PostgreSQL would type $1 as int4 from
	// the literal and refuse ids beyond 32 bits.
	q, args := `SELECT `+tokenColumns+` FROM tokens ORDER BY id`, []any{}
	if userID != 0 {
		q, args = `SELECT `+tokenColumns+` FROM tokens WHERE user_id = $1 ORDER BY id`, []any{userID}
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	return collect(rows, scanToken)
}

func (s *DB) RevokeToken(ctx context.Context, id int64) error {
	return s.execOne(ctx, `UPDATE tokens SET revoked = TRUE WHERE id = $1`, id)
}

func (s *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE tokens SET last_used_at = $1 WHERE id = $2`, micros(at), id)
	return s.wrap(err)
}

// execOne runs a statement that must change exactly one row.
func (s *DB) execOne(ctx context.Context, query string, args ...any) error {
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return s.wrap(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
