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

// page runs the count and the page query of one list. fromWhere (with
// the CTE cte, which may be empty) selects the list's rows; key orders
// them. The page's keys are read first, from fromWhere alone, and outer
// (a query with one %s for them) reads the page's rows: a join in outer
// (projects and their namespaces) then costs one page, never the table.
func page[T any](ctx context.Context, s *DB, p store.Page, cte, fromWhere, key, outer string, scan func(scanner) (*T, error), args ...any) ([]T, int, error) {
	total, err := s.countCapped(ctx, cte, fromWhere, args...)
	if err != nil {
		return nil, 0, err
	}
	return pageOf(ctx, s, p, total, cte, fromWhere, key, outer, scan, args...)
}

// pageOf is page with the total already counted.
func pageOf[T any](ctx context.Context, s *DB, p store.Page, total int, cte, fromWhere, key, outer string, scan func(scanner) (*T, error), args ...any) ([]T, int, error) {
	if p.Limit <= 0 || p.Offset >= total && total <= store.CountCap {
		return []T{}, total, nil
	}
	n := len(args)
	keys := `SELECT ` + key + ` ` + fromWhere + ` ORDER BY ` + key + ` LIMIT $` + strconv.Itoa(n+1) + ` OFFSET $` + strconv.Itoa(n+2)
	rows, err := s.query(ctx, cte+strings.Replace(outer, "%s", keys, 1), append(args, p.Limit, p.Offset)...)
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
	return page(ctx, s, p, ``, `FROM users`+where, `id`, `SELECT `+userColumns+` FROM users WHERE id IN (%s) ORDER BY id`, scanUser, args...)
}

func (s *DB) ListTokens(ctx context.Context, userID int64, p store.Page) ([]store.Token, int, error) {
	where, args := ``, []any{}
	if userID != 0 {
		where, args = ` WHERE user_id = $1`, []any{userID}
	}
	return page(ctx, s, p, ``, `FROM tokens`+where, `id`, `SELECT `+tokenColumns+` FROM tokens WHERE id IN (%s) ORDER BY id`, scanToken, args...)
}

func (s *DB) ListMembers(ctx context.Context, source string, sourceID int64, p store.Page) ([]store.Member, int, error) {
	return page(ctx, s, p, ``, `FROM members m WHERE m.source = $1 AND m.source_id = $2`, `m.user_id`,
		memberQuery+` AND m.user_id IN (%s) ORDER BY m.user_id`, scanMember, source, sourceID)
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
	const (
		from  = `FROM namespaces n WHERE n.kind = 'group'`
		outer = `SELECT ` + namespaceColumns + ` FROM namespaces n WHERE n.id IN (%s) ORDER BY n.id`
	)
	if userID == 0 {
		return page(ctx, s, p, ``, from, `n.id`, outer, scanNamespace)
	}
	return page(ctx, s, p, mineCTE, from+` AND (n.visibility <> 'private' OR n.id IN (SELECT id FROM mine))`, `n.id`, outer, scanNamespace,
		userID, micros(s.now()))
}

func (s *DB) VisibleProjects(ctx context.Context, userID int64, p store.Page) ([]store.Project, int, error) {
	const outer = `SELECT ` + projectColumns + projectFrom + `WHERE p.id IN (%s) ORDER BY p.id`
	if userID == 0 {
		return page(ctx, s, p, ``, `FROM projects p`, `p.id`, outer, scanProject)
	}
	// "|| ''" keeps SQLite from reading the OR through three indexes and
	// sorting the union: the scan in id order stops at the page's end.
	const where = ` WHERE p.visibility || '' IN ('public', 'internal') OR p.namespace_id IN (SELECT id FROM mine) OR p.id IN (` + directProjects + `)`
	args := []any{userID, micros(s.now())}
	total, err := s.countVisibleProjects(ctx, args)
	if err != nil {
		return nil, 0, err
	}
	return pageOf(ctx, s, p, total, mineCTE, `FROM projects p`+where, `p.id`, outer, scanProject, args...)
}

// directProjects are the projects the user $1 is a member of at the time
// $2.
const directProjects = `SELECT m.source_id FROM members m WHERE m.user_id = $1 AND m.source = 'project' AND (m.expires_at IS NULL OR m.expires_at > $2)`

// countVisibleProjects counts what VisibleProjects lists as three disjoint
// parts, each read from an index and capped: the public and internal
// projects (projects_by_visibility), the private ones in the user's
// namespaces (by namespace), and the private ones elsewhere the user is a
// member of (from the memberships; CROSS JOIN fixes SQLite's join order
// and PostgreSQL ignores it). One condition with ORs would read every row
// up to the cap. Concatenating an empty string to visibility keeps SQLite
// off its index where another one is the better way in.
func (s *DB) countVisibleProjects(ctx context.Context, args []any) (int, error) {
	var total int
	for _, part := range []string{
		`FROM projects p WHERE p.visibility IN ('public', 'internal')`,
		`FROM projects p WHERE p.namespace_id IN (SELECT id FROM mine) AND p.visibility || '' = 'private'`,
		`FROM members m CROSS JOIN projects p WHERE p.id = m.source_id AND m.user_id = $1 AND m.source = 'project'
			AND (m.expires_at IS NULL OR m.expires_at > $2) AND p.visibility || '' = 'private' AND p.namespace_id NOT IN (SELECT id FROM mine)`,
	} {
		n, err := s.countCapped(ctx, mineCTE, part, args...)
		if err != nil {
			return 0, err
		}
		if total += n; total > store.CountCap {
			return store.CountCap + 1, nil
		}
	}
	return total, nil
}

var _ store.Lister = (*DB)(nil)
