package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/store"
)

// countCapped counts the rows "FROM ... WHERE ..." selects, up to
// store.CountCap+1: reading more would make one page cost as much as the
// whole table.
func (s *DB) countCapped(ctx context.Context, cte, fromWhere string, args ...any) (int, error) {
	var n int
	err := s.queryRow(ctx, cte+`SELECT COUNT(*) FROM (SELECT 1 `+fromWhere+` LIMIT `+strconv.Itoa(store.CountCap+1)+`) c`, args...).Scan(&n)
	return n, s.wrap(err)
}

// page runs the count and the page query of one list: cte (may be empty)
// prefixes both, fromWhere is their FROM and WHERE, columns and order make
// the page's query; its LIMIT and OFFSET follow args.
func page[T any](ctx context.Context, s *DB, p store.Page, cte, columns, fromWhere, order string, scan func(scanner) (*T, error), args ...any) ([]T, int, error) {
	total, err := s.countCapped(ctx, cte, fromWhere, args...)
	if err != nil {
		return nil, 0, err
	}
	if p.Limit <= 0 || p.Offset >= total && total <= store.CountCap {
		return []T{}, total, nil
	}
	n := len(args)
	rows, err := s.query(ctx, cte+`SELECT `+columns+` `+fromWhere+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, s.wrap(err)
	}
	out, err := collect(rows, scan)
	if out == nil {
		out = []T{}
	}
	return out, total, s.wrap(err)
}

func (s *DB) ListUsers(ctx context.Context, username string, p store.Page) ([]store.User, int, error) {
	where, args := ``, []any{}
	if username != "" {
		where, args = ` WHERE username_lower = $1`, []any{strings.ToLower(username)}
	}
	return page(ctx, s, p, ``, userColumns, `FROM users`+where, `id`, scanUser, args...)
}

func (s *DB) ListTokens(ctx context.Context, userID int64, p store.Page) ([]store.Token, int, error) {
	where, args := ``, []any{}
	if userID != 0 {
		where, args = ` WHERE user_id = $1`, []any{userID}
	}
	return page(ctx, s, p, ``, tokenColumns, `FROM tokens`+where, `id`, scanToken, args...)
}

func (s *DB) ListMembers(ctx context.Context, source string, sourceID int64, p store.Page) ([]store.Member, int, error) {
	return page(ctx, s, p, ``, memberColumns, memberFrom, `m.user_id`, scanMember, source, sourceID)
}

// mineCTE is, as the CTE "mine" (id), the namespaces the user $1 reaches at
// the time $2 (Unix microseconds): the one it owns, the groups it is a
// member of (memberships not expired) and every group below those.
const mineCTE = `WITH RECURSIVE mine (id) AS (
		SELECT n.id FROM namespaces n WHERE n.owner_id = $1 OR n.id IN (
			SELECT m.source_id FROM members m WHERE m.user_id = $1 AND m.source = 'namespace' AND (m.expires_at IS NULL OR m.expires_at > $2))
		UNION
		SELECT n.id FROM namespaces n JOIN mine ON n.parent_id = mine.id
	) `

func (s *DB) VisibleGroups(ctx context.Context, userID int64, p store.Page) ([]store.Namespace, int, error) {
	const from = `FROM namespaces n WHERE n.kind = 'group'`
	if userID == 0 {
		return page(ctx, s, p, ``, namespaceColumns, from, `n.id`, scanNamespace)
	}
	return page(ctx, s, p, mineCTE, namespaceColumns, from+` AND (n.visibility <> 'private' OR n.id IN (SELECT id FROM mine))`, `n.id`, scanNamespace,
		userID, micros(s.now()))
}

func (s *DB) VisibleProjects(ctx context.Context, userID int64, p store.Page) ([]store.Project, int, error) {
	if userID == 0 {
		return page(ctx, s, p, ``, projectColumns, projectFrom, `p.id`, scanProject)
	}
	const where = `WHERE p.visibility IN ('public', 'internal') OR p.namespace_id IN (SELECT id FROM mine) OR p.id IN (
		SELECT m.source_id FROM members m WHERE m.user_id = $1 AND m.source = 'project' AND (m.expires_at IS NULL OR m.expires_at > $2))`
	return page(ctx, s, p, mineCTE, projectColumns, projectFrom+where, `p.id`, scanProject,
		userID, micros(s.now()))
}

var _ store.Lister = (*DB)(nil)
