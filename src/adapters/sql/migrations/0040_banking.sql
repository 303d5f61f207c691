-- Bank connections: the provider access token is stored sealed (AES-GCM), with its key id.
CREATE TABLE IF NOT EXISTS bank_connections (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    status TEXT NOT NULL,
    token_key_id TEXT NOT NULL,
    token_ciphertext TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bank_connections_user ON bank_connections (user_id, created_at);
CREATE INDEX IF NOT EXISTS bank_connections_external ON bank_connections (provider, external_id);
CREATE INDEX IF NOT EXISTS bank_connections_key ON bank_connections (token_key_id);
-- One balance snapshot per account and day; balances in minor units.
CREATE TABLE IF NOT EXISTS bank_balance_snapshots (
    account_id TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    user_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    balance BIGINT NOT NULL,
    currency TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (account_id, snapshot_date)
);
CREATE INDEX IF NOT EXISTS bank_balance_snapshots_user ON bank_balance_snapshots (user_id, account_id, snapshot_date);
-- Provider webhook event ids already processed (deduplication of replays and retries).
CREATE TABLE IF NOT EXISTS bank_webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
