-- Payments core: merchants, payments, refunds, the ledger, settlements, idempotency keys.
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    default_currency TEXT NOT NULL,
    currencies TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    captured_amount BIGINT NOT NULL,
    refunded_amount BIGINT NOT NULL,
    fee_amount BIGINT NOT NULL,
    description TEXT,
    reference TEXT,
    capture_requested INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    authorized_at TEXT,
    captured_at TEXT,
    finished_at TEXT,
    decided_by TEXT,
    refund_ids TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_merchant ON payments (merchant_id, id);
CREATE INDEX IF NOT EXISTS payments_merchant_status ON payments (merchant_id, status, id);
CREATE INDEX IF NOT EXISTS payments_status ON payments (status, updated_at);
CREATE TABLE IF NOT EXISTS refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refunds_payment ON refunds (payment_id, id);
CREATE INDEX IF NOT EXISTS refunds_status ON refunds (status, updated_at);
CREATE TABLE IF NOT EXISTS ledger_transfers (
    id TEXT PRIMARY KEY,
    debit_account TEXT NOT NULL,
    credit_account TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    payment_id TEXT,
    refund_id TEXT,
    settlement_id TEXT,
    posted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_transfers_merchant ON ledger_transfers (merchant_id, posted_at, id);
CREATE INDEX IF NOT EXISTS ledger_transfers_unsettled ON ledger_transfers (merchant_id, currency, settlement_id);
CREATE INDEX IF NOT EXISTS ledger_transfers_settlement ON ledger_transfers (settlement_id);
CREATE TABLE IF NOT EXISTS settlements (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    payment_count BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    paid_at TEXT
);
CREATE INDEX IF NOT EXISTS settlements_merchant ON settlements (merchant_id, id);
CREATE INDEX IF NOT EXISTS settlements_stage ON settlements (stage, updated_at);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    lease_token TEXT NOT NULL,
    locked_until TEXT NOT NULL,
    status_code INTEGER,
    content_type TEXT,
    body TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);
