-- The shared ledger: partners, members, journal, lots, redemptions.
CREATE TABLE network_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    currency TEXT NOT NULL,
    base_rate_millipoints BIGINT NOT NULL CHECK (base_rate_millipoints >= 0),
    expiry_policy TEXT NOT NULL CHECK (expiry_policy IN ('never', 'months_after_earn', 'months_of_inactivity')),
    expiry_months BIGINT NOT NULL CHECK (expiry_months >= 0),
    hold_ttl_s BIGINT NOT NULL CHECK (hold_ttl_s > 0),
    code_ttl_s BIGINT NOT NULL CHECK (code_ttl_s > 0),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    universe TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE partner_contracts (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    effective_from TIMESTAMP NOT NULL,
    currency TEXT NOT NULL,
    earn_rate_bp BIGINT NOT NULL CHECK (earn_rate_bp >= 0),
    issuance_price_micros BIGINT NOT NULL CHECK (issuance_price_micros > 0),
    redemption_price_micros BIGINT NOT NULL CHECK (redemption_price_micros > 0 AND redemption_price_micros <= issuance_price_micros),
    return_window_days BIGINT NOT NULL CHECK (return_window_days >= 0),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX partner_contracts_partner ON partner_contracts (partner_id, effective_from);

CREATE TABLE partner_keys (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    key_id TEXT NOT NULL UNIQUE,
    secret_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX partner_keys_partner ON partner_keys (partner_id);

CREATE TABLE request_nonces (
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX request_nonces_seen ON request_nonces (seen_at);

CREATE TABLE operator_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    member_number TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT,
    display_name TEXT,
    created_at TIMESTAMP NOT NULL,
    last_activity_at TIMESTAMP NOT NULL,
    available_points BIGINT NOT NULL,
    pending_points BIGINT NOT NULL CHECK (pending_points >= 0),
    held_points BIGINT NOT NULL CHECK (held_points >= 0),
    chain_head TEXT NOT NULL,
    lock_version BIGINT NOT NULL,
    code_failures BIGINT NOT NULL,
    code_locked_until TIMESTAMP
);

CREATE TABLE member_sessions (
    id INTEGER PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE member_links (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    customer_ref TEXT,
    linked_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, member_id),
    UNIQUE (partner_id, customer_ref)
);

CREATE TABLE redemption_codes (
    id INTEGER PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    code_sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX redemption_codes_member ON redemption_codes (member_id, expires_at);

CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    member_id BIGINT REFERENCES members (id),
    partner_id BIGINT REFERENCES partners (id),
    reference TEXT NOT NULL,
    memo TEXT,
    posted_at TIMESTAMP NOT NULL,
    chain TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX journal_entries_member ON journal_entries (member_id, id);
CREATE INDEX journal_entries_partner ON journal_entries (partner_id, id);
CREATE INDEX journal_entries_chain ON journal_entries (chain, id);
CREATE INDEX journal_entries_posted ON journal_entries (posted_at);

CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    account TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    asset TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX postings_entry ON postings (entry_id);
CREATE INDEX postings_account ON postings (account, owner_id);

CREATE TABLE lots (
    id INTEGER PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    asset TEXT NOT NULL,
    issuer_kind TEXT NOT NULL CHECK (issuer_kind IN ('partner', 'operator')),
    issuer_partner_id BIGINT REFERENCES partners (id),
    price_micros BIGINT NOT NULL CHECK (price_micros >= 0),
    points BIGINT NOT NULL CHECK (points > 0),
    remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    earned_at TIMESTAMP NOT NULL,
    available_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    matured BOOLEAN NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id)
);
CREATE INDEX lots_member ON lots (member_id, remaining);

CREATE TABLE redemptions (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    status TEXT NOT NULL CHECK (status IN ('authorized', 'captured', 'voided', 'expired')),
    points_authorized BIGINT NOT NULL CHECK (points_authorized > 0),
    points_captured BIGINT NOT NULL CHECK (points_captured >= 0 AND points_captured <= points_authorized),
    points_reversed BIGINT NOT NULL CHECK (points_reversed >= 0 AND points_reversed <= points_captured),
    order_id TEXT,
    price_micros BIGINT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX redemptions_member ON redemptions (member_id, status);
CREATE INDEX redemptions_partner ON redemptions (partner_id, id);

CREATE TABLE lot_movements (
    id INTEGER PRIMARY KEY,
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    redemption_id BIGINT REFERENCES redemptions (id),
    kind TEXT NOT NULL,
    points BIGINT NOT NULL CHECK (points <> 0)
);
CREATE INDEX lot_movements_lot ON lot_movements (lot_id);
CREATE INDEX lot_movements_redemption ON lot_movements (redemption_id);
CREATE INDEX lot_movements_entry ON lot_movements (entry_id);

CREATE TABLE earns (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    order_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    points BIGINT NOT NULL CHECK (points >= 0),
    lot_id BIGINT REFERENCES lots (id),
    entry_id BIGINT REFERENCES journal_entries (id),
    refunded_minor BIGINT NOT NULL CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    clawed_points BIGINT NOT NULL CHECK (clawed_points >= 0 AND clawed_points <= points),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, order_id)
);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY,
    earn_id BIGINT NOT NULL REFERENCES earns (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    refund_ref TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    points BIGINT NOT NULL CHECK (points >= 0),
    entry_id BIGINT REFERENCES journal_entries (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, refund_ref)
);

CREATE TABLE idempotency_keys (
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    idem_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, idem_key)
);

CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until TIMESTAMP NOT NULL
);
