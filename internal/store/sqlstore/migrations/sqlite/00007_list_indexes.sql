-- +goose Up
-- The lists page in SQL with the access checks in the query (issue 12):
-- these indexes keep one page's cost flat as the tables grow.
CREATE INDEX members_by_user ON members (user_id, source);
CREATE INDEX namespaces_by_parent ON namespaces (parent_id);
CREATE INDEX namespaces_by_owner ON namespaces (owner_id);
CREATE INDEX tokens_by_user ON tokens (user_id, id);
CREATE INDEX projects_by_visibility ON projects (visibility, id);

-- +goose Down
DROP INDEX projects_by_visibility;
DROP INDEX tokens_by_user;
DROP INDEX namespaces_by_owner;
DROP INDEX namespaces_by_parent;
DROP INDEX members_by_user;
