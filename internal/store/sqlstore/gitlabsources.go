package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

const gitlabSourceColumns = `project_id, url, token_sealed, created_at, updated_at`

func scanGitLabSource(sc interface{ Scan(...any) error }) (*store.GitLabSource, error) {
	var src store.GitLabSource
	var created, updated int64
	if err := sc.Scan(&src.ProjectID, &src.URL, &src.SealedToken, &created, &updated); err != nil {
		return nil, err
	}
	src.CreatedAt, src.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &src, nil
}

func (s *DB) GitLabSource(ctx context.Context, projectID int64) (*store.GitLabSource, error) {
	src, err := scanGitLabSource(s.queryRow(ctx, `SELECT `+gitlabSourceColumns+` FROM gitlab_sources WHERE project_id = $1`, projectID))
	return src, s.wrap(err)
}

func (s *DB) PutGitLabSource(ctx context.Context, src *store.GitLabSource) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM projects WHERE id = $1`, src.ProjectID).Scan(&one); err != nil {
			return err
		}
		var created int64
		err := tx.QueryRowContext(ctx, `INSERT INTO gitlab_sources (`+gitlabSourceColumns+`) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (project_id) DO UPDATE SET url = excluded.url, token_sealed = excluded.token_sealed, updated_at = excluded.updated_at
			RETURNING created_at`, src.ProjectID, src.URL, src.SealedToken, micros(now)).Scan(&created)
		if err != nil {
			return err
		}
		src.CreatedAt, src.UpdatedAt = fromMicros(created), now
		return nil
	})
}

func (s *DB) DeleteGitLabSource(ctx context.Context, projectID int64) error {
	return s.execOne(ctx, `DELETE FROM gitlab_sources WHERE project_id = $1`, projectID)
}

func (s *DB) GitLabSources(ctx context.Context) ([]store.GitLabSource, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+gitlabSourceColumns+` FROM gitlab_sources ORDER BY project_id`)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.GitLabSource
	for rows.Next() {
		src, err := scanGitLabSource(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, *src)
	}
	return out, s.wrap(rows.Err())
}
