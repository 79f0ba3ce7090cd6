-- +goose Up
-- A project's GitLab source: the GitLab API glint reads a push's diff from
-- (Emails on push). The token is sealed by package secret.
CREATE TABLE gitlab_sources (
    project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    token_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE gitlab_sources;
