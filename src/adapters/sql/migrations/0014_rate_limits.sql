-- Fixed-window rate limits shared by every service process: each hit takes one numbered
-- slot (0 .. limit-1) of its window, so the primary key caps the count without arithmetic.
CREATE TABLE IF NOT EXISTS rate_limit_slots (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    slot INTEGER NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start, slot)
);
CREATE INDEX IF NOT EXISTS rate_limit_slots_expiry ON rate_limit_slots (expires_at);
