package store

import (
	"context"
	"time"
)

// GitLabSource is where glint reads a project's diffs from when its events
// come from a GitLab instance: that GitLab's API base URL and a read-only
// token, sealed by package secret.
type GitLabSource struct {
	ProjectID   int64
	URL         string
	SealedToken string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// GitLabSourceStore keeps the projects' GitLab sources.
type GitLabSourceStore interface {
	// GitLabSource returns a project's source or ErrNotFound.
	GitLabSource(ctx context.Context, projectID int64) (*GitLabSource, error)
	// PutGitLabSource creates or replaces a project's source (ErrNotFound
	// when there is no such project), setting its times.
	PutGitLabSource(ctx context.Context, src *GitLabSource) error
	// DeleteGitLabSource removes a project's source, ErrNotFound if none.
	DeleteGitLabSource(ctx context.Context, projectID int64) error
	// GitLabSources are every project's source, by project id (key rotation).
	GitLabSources(ctx context.Context) ([]GitLabSource, error)
}
