-- Clearing: what settlement reads (clearing events written beside each journal entry), the
-- network's signing key, settlement runs, signed statements, payments and disputes.

-- A flat fee per settlement period, charged on the partner's statement.
ALTER TABLE partner_contracts ADD COLUMN period_fee_minor BIGINT NOT NULL DEFAULT 0 CHECK (period_fee_minor >= 0);

-- One row per (entry, issuer, price) slice of points that moves money between the network and
-- a partner, written in the same transaction as its journal entry and never changed.
-- partner_id is the partner billed or reimbursed (the issuer for issue and clawback, the shop
-- for redeem and reverse; none for breakage); issuer_partner_id is the partner that funded
-- the points (none: the operator).
CREATE TABLE clearing_events (
    id INTEGER PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    posted_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('issue', 'clawback', 'redeem', 'reverse', 'breakage')),
    partner_id BIGINT REFERENCES partners (id),
    issuer_partner_id BIGINT REFERENCES partners (id),
    points BIGINT NOT NULL CHECK (points > 0),
    price_micros BIGINT NOT NULL CHECK (price_micros >= 0),
    order_ref TEXT NOT NULL
);
CREATE INDEX clearing_events_posted ON clearing_events (posted_at);
CREATE INDEX clearing_events_partner ON clearing_events (partner_id, posted_at);

-- Heads of the hash chains that belong to no member (the network's money entries).
CREATE TABLE chain_heads (
    name TEXT PRIMARY KEY,
    head TEXT NOT NULL
);
-- The network chain exists from the start, so its row can be locked by the first close or
-- payment as by every later one.
INSERT INTO chain_heads (name, head) VALUES ('network', '0000000000000000000000000000000000000000000000000000000000000000');

-- The network's Ed25519 statement-signing key; the private half sealed with the master key.
CREATE TABLE network_keys (
    id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE settlement_runs (
    id INTEGER PRIMARY KEY,
    -- Periods never overlap: each starts where the previous one ended.
    period_start TIMESTAMP NOT NULL UNIQUE,
    period_end TIMESTAMP NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    closed_at TIMESTAMP NOT NULL,
    events_count BIGINT NOT NULL,
    summary TEXT NOT NULL,
    entry_id BIGINT REFERENCES journal_entries (id),
    CHECK (period_start < period_end)
);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES settlement_runs (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    net_minor BIGINT NOT NULL,
    document TEXT NOT NULL,
    signature TEXT NOT NULL,
    key_id TEXT NOT NULL,
    UNIQUE (run_id, partner_id)
);
CREATE INDEX statements_partner ON statements (partner_id, id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    direction TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    bank_reference TEXT NOT NULL,
    paid_at TIMESTAMP NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, bank_reference)
);
CREATE INDEX payments_statement ON payments (statement_id);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    opened_at TIMESTAMP NOT NULL,
    resolution TEXT,
    adjustment_minor BIGINT,
    resolved_at TIMESTAMP,
    applied_run_id BIGINT REFERENCES settlement_runs (id)
);
CREATE INDEX disputes_statement ON disputes (statement_id);
-- At most one open dispute per statement, whatever the race.
CREATE UNIQUE INDEX disputes_one_open ON disputes (statement_id) WHERE status = 'open';
