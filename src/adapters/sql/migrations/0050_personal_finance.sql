-- Budgets, goals and net-worth snapshots, each row owned by one user.
-- Amounts are BIGINT minor units of the row's currency; categories and totals are JSON text
-- (read and written whole, never queried); dates are YYYY-MM-DD, timestamps RFC 3339 UTC.
-- name_folded holds the case-folded name so search matches the same way on every store.
CREATE TABLE IF NOT EXISTS budgets (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    currency TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    categories TEXT NOT NULL,
    rollover INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS budgets_user_created ON budgets (user_id, created_at);
CREATE TABLE IF NOT EXISTS goals (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    target_amount BIGINT NOT NULL,
    current_amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    target_date TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS goals_user_created ON goals (user_id, created_at);
CREATE TABLE IF NOT EXISTS net_worth_snapshots (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    as_of TEXT NOT NULL,
    source TEXT NOT NULL,
    totals TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS net_worth_user_as_of ON net_worth_snapshots (user_id, as_of, id);
