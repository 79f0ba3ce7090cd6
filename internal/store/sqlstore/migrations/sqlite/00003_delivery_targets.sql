-- +goose Up
-- A target is one configured service of one project; its row holds the
-- circuit breaker's state, shared by every node. No row: never failed.
CREATE TABLE delivery_targets (
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,     -- failed attempts in a row
    pauses BIGINT NOT NULL DEFAULT 0,       -- pauses in a row (the next pause is twice as long)
    opened_at BIGINT NOT NULL DEFAULT 0,    -- when the circuit opened (0: closed)
    paused_until BIGINT NOT NULL DEFAULT 0, -- 0: closed; else no attempt before it, then one probe
    probe_until BIGINT NOT NULL DEFAULT 0,  -- a probe attempt is running until then
    last_error TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, service)
);
CREATE INDEX delivery_targets_open ON delivery_targets (paused_until) WHERE paused_until > 0;

-- +goose Down
DROP TABLE delivery_targets;
