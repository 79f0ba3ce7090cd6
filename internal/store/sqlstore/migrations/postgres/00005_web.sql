-- +goose Up
-- Passwords for the web sign-in (argon2id, PHC string; '' means none set).
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

-- Web sessions, kept here so that every node knows them. Only a hash of
-- the cookie's id is stored.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

-- Failed sign-ins, by account and by address, for the rate limit.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

-- Each attempt's request, summarised (method, redacted URL, size), for the
-- delivery page.
ALTER TABLE delivery_attempts ADD COLUMN request TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE delivery_attempts DROP COLUMN request;
DROP TABLE login_failures;
DROP TABLE web_sessions;
ALTER TABLE users DROP COLUMN password_hash;
