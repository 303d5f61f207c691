-- Outgoing webhooks: endpoints, the outbox of (endpoint, event) deliveries, one row per attempt.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    status TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_merchant ON webhook_endpoints (merchant_id, status);
CREATE INDEX IF NOT EXISTS webhook_endpoints_status ON webhook_endpoints (status);
-- id is derived from (endpoint_id, event_id), so scheduling the same pair twice is a no-op.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    event_created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, event_created_at);
-- id is derived from (delivery id, attempt number): one row per attempt, never two.
CREATE TABLE IF NOT EXISTS webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status_code INTEGER,
    outcome TEXT NOT NULL,
    error TEXT,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (delivery_id, attempt)
);
CREATE INDEX IF NOT EXISTS webhook_attempts_endpoint ON webhook_attempts (endpoint_id, created_at, id);
-- The events feed pages by (created_at, id) per merchant, optionally per type.
CREATE INDEX IF NOT EXISTS events_merchant_created ON events (merchant_id, created_at, id);
CREATE INDEX IF NOT EXISTS events_merchant_type_created ON events (merchant_id, type, created_at, id);
-- Scheduled jobs: one row per (job, tick); the primary key decides which instance runs it.
CREATE TABLE IF NOT EXISTS job_ticks (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    tick BIGINT NOT NULL,
    owner TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS job_ticks_job ON job_ticks (job, tick);
