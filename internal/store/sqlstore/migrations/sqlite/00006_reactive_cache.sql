-- +goose Up
-- The reactive cache of read-backs (CI commit statuses): one row per key,
-- shared by every node. A row without a value is a fetch in progress
-- (its lease) that has not written yet. Times are Unix microseconds.
CREATE TABLE reactive_cache (
    key TEXT PRIMARY KEY,
    value TEXT,
    computed_at BIGINT NOT NULL DEFAULT 0,
    read_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX reactive_cache_by_read ON reactive_cache (read_at);

-- +goose Down
DROP TABLE reactive_cache;
