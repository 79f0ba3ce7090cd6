package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

const namespaceColumns = `n.id, n.name, n.path, n.full_path, n.kind, n.parent_id, n.owner_id, n.description, n.visibility, n.created_at`

func scanNamespace(r scanner) (*store.Namespace, error) { return scanOne(r, namespaceFields) }

// namespaceFields reads namespaceColumns.
func namespaceFields(n *store.Namespace) fields {
	var parent, owner sql.NullInt64
	var created int64
	return fields{
		dests: []any{&n.ID, &n.Name, &n.Path, &n.FullPath, &n.Kind, &parent, &owner, &n.Description, &n.Visibility, &created},
		finish: func() error {
			if parent.Valid {
				n.ParentID = &parent.Int64
			}
			if owner.Valid {
				n.OwnerID = &owner.Int64
			}
			n.CreatedAt = fromMicros(created)
			return nil
		},
	}
}

// CreateGroup inserts a group below g.ParentID (if set), deriving its full
// path from the parent's.
func (s *DB) CreateGroup(ctx context.Context, g *store.Namespace) error {
	g.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	g.Kind = "group"
	if g.Visibility == "" {
		g.Visibility = "private"
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		g.FullPath = g.Path
		if g.ParentID != nil {
			var parentPath string
			err := tx.QueryRowContext(ctx, `SELECT full_path FROM namespaces WHERE id = $1 AND kind = 'group'`, *g.ParentID).Scan(&parentPath)
			if err != nil {
				return err
			}
			g.FullPath = parentPath + "/" + g.Path
		}
		return tx.QueryRowContext(ctx, `INSERT INTO namespaces (name, path, full_path, full_path_lower, kind, parent_id, description, visibility, created_at)
			VALUES ($1, $2, $3, $4, 'group', $5, $6, $7, $8) RETURNING id`,
			g.Name, g.Path, g.FullPath, strings.ToLower(g.FullPath), g.ParentID, g.Description, g.Visibility, micros(g.CreatedAt)).Scan(&g.ID)
	})
}

func (s *DB) Namespace(ctx context.Context, id int64) (*store.Namespace, error) {
	n, err := scanNamespace(s.queryRow(ctx, `SELECT `+namespaceColumns+` FROM namespaces n WHERE n.id = $1`, id))
	return n, s.wrap(err)
}

func (s *DB) NamespaceByFullPath(ctx context.Context, fullPath string) (*store.Namespace, error) {
	n, err := scanNamespace(s.queryRow(ctx, `SELECT `+namespaceColumns+` FROM namespaces n WHERE n.full_path_lower = $1`, strings.ToLower(fullPath)))
	return n, s.wrap(err)
}

func (s *DB) Groups(ctx context.Context) ([]store.Namespace, error) {
	rows, err := s.query(ctx, `SELECT `+namespaceColumns+` FROM namespaces n WHERE n.kind = 'group' ORDER BY n.id`)
	if err != nil {
		return nil, s.wrap(err)
	}
	return collect(rows, scanNamespace)
}

const projectColumns = `p.id, p.name, p.path, p.description, p.visibility, p.default_branch, p.namespace_id, p.creator_id,
	p.intake_token_hash, p.created_at, p.last_activity_at, ` + namespaceColumns

const projectFrom = ` FROM projects p JOIN namespaces n ON n.id = p.namespace_id `

func scanProject(r scanner) (*store.Project, error) {
	var p store.Project
	if err := scanFields(r, projectFields(&p)...); err != nil {
		return nil, err
	}
	return &p, nil
}

// projectFields reads projectColumns: the project, then its namespace.
func projectFields(p *store.Project) []fields {
	var created, activity int64
	return []fields{{
		dests: []any{&p.ID, &p.Name, &p.Path, &p.Description, &p.Visibility, &p.DefaultBranch, &p.NamespaceID, &p.CreatorID,
			&p.IntakeTokenHash, &created, &activity},
		finish: func() error {
			p.CreatedAt, p.LastActivityAt = fromMicros(created), fromMicros(activity)
			return nil
		},
	}, namespaceFields(&p.Namespace)}
}

func (s *DB) CreateProject(ctx context.Context, p *store.Project) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	p.CreatedAt, p.LastActivityAt = now, now
	if p.Visibility == "" {
		p.Visibility = "private"
	}
	if p.DefaultBranch == "" {
		p.DefaultBranch = "master"
	}
	err := s.queryRow(ctx, `INSERT INTO projects (name, path, path_lower, namespace_id, description, visibility, default_branch, creator_id, created_at, last_activity_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		p.Name, p.Path, strings.ToLower(p.Path), p.NamespaceID, p.Description, p.Visibility, p.DefaultBranch, p.CreatorID, micros(now)).Scan(&p.ID)
	if err != nil {
		return s.wrap(err)
	}
	ns, err := s.Namespace(ctx, p.NamespaceID)
	if err != nil {
		return err
	}
	p.Namespace = *ns
	return nil
}

func (s *DB) Project(ctx context.Context, id int64) (*store.Project, error) {
	p, err := scanProject(s.queryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
	return p, s.wrap(err)
}

// ProjectByFullPath finds "ns/.../project", case-insensitively as GitLab.
func (s *DB) ProjectByFullPath(ctx context.Context, fullPath string) (*store.Project, error) {
	ns, path, ok := splitFullPath(fullPath)
	if !ok {
		return nil, store.ErrNotFound
	}
	p, err := scanProject(s.queryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE n.full_path_lower = $1 AND p.path_lower = $2`, ns, path))
	return p, s.wrap(err)
}

// splitFullPath splits "ns/.../project" into the namespace's full path and
// the project's path, lowered as the *_lower columns hold them; ok is false
// for a path that can name no project.
func splitFullPath(fullPath string) (ns, path string, ok bool) {
	i := strings.LastIndexByte(fullPath, '/')
	if i <= 0 || i == len(fullPath)-1 {
		return "", "", false
	}
	return strings.ToLower(fullPath[:i]), strings.ToLower(fullPath[i+1:]), true
}

func (s *DB) Projects(ctx context.Context) ([]store.Project, error) {
	rows, err := s.query(ctx, `SELECT `+projectColumns+projectFrom+`ORDER BY p.id`)
	if err != nil {
		return nil, s.wrap(err)
	}
	return collect(rows, scanProject)
}

func (s *DB) DeleteProject(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM projects WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM members WHERE source = 'project' AND source_id = $1`, id)
		return err
	})
}

func (s *DB) SetIntakeTokenHash(ctx context.Context, projectID int64, hash string) error {
	return s.execOne(ctx, `UPDATE projects SET intake_token_hash = $1 WHERE id = $2`, hash, projectID)
}

// SetMember inserts or updates a membership.
func (s *DB) SetMember(ctx context.Context, source string, sourceID int64, m store.Member) error {
	_, err := s.exec(ctx, `INSERT INTO members (source, source_id, user_id, access_level, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (source, source_id, user_id) DO UPDATE SET access_level = excluded.access_level, expires_at = excluded.expires_at`,
		source, sourceID, m.UserID, m.AccessLevel, optMicros(m.ExpiresAt), micros(s.now()))
	return s.wrap(err)
}

const memberQuery = `SELECT m.user_id, m.access_level, m.expires_at, m.created_at, ` + userColumnsU + `
	FROM members m JOIN users u ON u.id = m.user_id WHERE m.source = $1 AND m.source_id = $2`

const userColumnsU = `u.id, u.username, u.name, u.email, u.admin, u.namespace_id, u.created_at`

func scanMember(r scanner) (*store.Member, error) {
	var m store.Member
	var expires sql.NullInt64
	var created, uCreated int64
	u := &m.User
	if err := r.Scan(&m.UserID, &m.AccessLevel, &expires, &created,
		&u.ID, &u.Username, &u.Name, &u.Email, &u.Admin, &u.NamespaceID, &uCreated); err != nil {
		return nil, err
	}
	m.ExpiresAt = fromOptMicros(expires)
	m.CreatedAt = fromMicros(created)
	u.CreatedAt = fromMicros(uCreated)
	return &m, nil
}

func (s *DB) Members(ctx context.Context, source string, sourceID int64) ([]store.Member, error) {
	rows, err := s.query(ctx, memberQuery+` ORDER BY m.user_id`, source, sourceID)
	if err != nil {
		return nil, s.wrap(err)
	}
	return collect(rows, scanMember)
}

func (s *DB) Member(ctx context.Context, source string, sourceID, userID int64) (*store.Member, error) {
	m, err := scanMember(s.queryRow(ctx, memberQuery+` AND m.user_id = $3`, source, sourceID, userID))
	return m, s.wrap(err)
}

func (s *DB) RemoveMember(ctx context.Context, source string, sourceID, userID int64) error {
	return s.execOne(ctx, `DELETE FROM members WHERE source = $1 AND source_id = $2 AND user_id = $3`, source, sourceID, userID)
}

// accessCTEs computes, as the CTE "access" (one row, column "level"), the
// access level of the user $1 at the time $2 (Unix microseconds) on the
// project of the CTE "target" (id, namespace_id): the highest of a direct
// membership, a membership of the project's namespace or of any group above
// it, and Owner (50) for the owner of the personal namespace; expired
// memberships do not count. With no target, or no user (0), it is 0.
// AccessLevel and ProjectWithAccess share it so that they cannot disagree.
const accessCTEs = `anc (id, parent_id, owner_id) AS (
		SELECT n.id, n.parent_id, n.owner_id FROM namespaces n JOIN target ON n.id = target.namespace_id
		UNION ALL
		SELECT n.id, n.parent_id, n.owner_id FROM namespaces n JOIN anc ON n.id = anc.parent_id
	),
	access (level) AS (
		SELECT COALESCE(MAX(lvl), 0) FROM (
			SELECT m.access_level AS lvl FROM members m JOIN target ON m.source = 'project' AND m.source_id = target.id
				WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > $2)
			UNION ALL
			SELECT m.access_level FROM members m JOIN anc ON m.source = 'namespace' AND m.source_id = anc.id
				WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > $2)
			UNION ALL
			SELECT 50 FROM anc WHERE anc.owner_id = $1
		) levels
	)`

// AccessLevel walks the project's namespace and its ancestors.
func (s *DB) AccessLevel(ctx context.Context, userID, projectID int64) (int, error) {
	var level int
	err := s.queryRow(ctx, `WITH RECURSIVE target (id, namespace_id) AS (
			SELECT p.id, p.namespace_id FROM projects p WHERE p.id = $3
		),
		`+accessCTEs+`
		SELECT level FROM access`, userID, micros(s.now()), projectID).Scan(&level)
	return level, s.wrap(err)
}

// projectWithAccessQuery reads the project that where ($3, $4) selects,
// with the access level of the user $1 at the time $2 on it.
func projectWithAccessQuery(where string) string {
	return `WITH RECURSIVE target (id, namespace_id) AS (
			SELECT p.id, p.namespace_id` + projectFrom + `WHERE ` + where + `
		),
		` + accessCTEs + `
		SELECT ` + projectColumns + `, access.level` + projectFrom + `JOIN target ON target.id = p.id CROSS JOIN access`
}

var (
	projectWithAccessByID   = projectWithAccessQuery(`p.id = $3`)
	projectWithAccessByPath = projectWithAccessQuery(`n.full_path_lower = $3 AND p.path_lower = $4`)
)

// ProjectWithAccess folds Project (or ProjectByFullPath) and AccessLevel
// into one query: on PostgreSQL each query is a round trip.
func (s *DB) ProjectWithAccess(ctx context.Context, id int64, fullPath string, userID int64) (*store.Project, int, error) {
	args := []any{userID, micros(s.now())}
	query := projectWithAccessByID
	if id > 0 {
		args = append(args, id)
	} else {
		ns, path, ok := splitFullPath(fullPath)
		if !ok {
			return nil, store.NoAccess, store.ErrNotFound
		}
		query = projectWithAccessByPath
		args = append(args, ns, path)
	}
	var level int
	p, err := scanProject(withLevel{s.queryRow(ctx, query, args...), &level})
	if err != nil {
		return nil, store.NoAccess, s.wrap(err)
	}
	return p, level, nil
}

// withLevel scans a project row followed by an access level, so that
// scanProject serves the folded query too.
type withLevel struct {
	row   scanner
	level *int
}

func (w withLevel) Scan(dest ...any) error { return w.row.Scan(append(dest, w.level)...) }
