-- Service-wide flags every instance reads from the store (maintenance mode, ...).
CREATE TABLE IF NOT EXISTS service_flags (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
