-- A partner's own program on top of the shared points: a local currency (its own asset in the
-- same journal, "LOCAL-<partner id>", with its own lots in `lots` and its own expiry), earned
-- alongside network points at the partner's rate, spent only at that partner (the same
-- two-phase hold, `redemptions.asset`), never settled between partners, and optionally
-- converted into network points that the partner issues and pays for.
CREATE TABLE local_programs (
    partner_id BIGINT PRIMARY KEY REFERENCES partners (id),
    asset TEXT NOT NULL UNIQUE,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    earn_rate_millipoints BIGINT NOT NULL CHECK (earn_rate_millipoints >= 0),
    expiry_months BIGINT NOT NULL CHECK (expiry_months >= 0),
    conversion_local_per_point BIGINT CHECK (conversion_local_per_point > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A member's local balances at one partner, written under the member's row lock like the
-- network balances on `members`. Available goes below zero only when a refund takes back local
-- points the member had already spent; later local earns repay it first.
CREATE TABLE local_wallets (
    member_id BIGINT NOT NULL REFERENCES members (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    asset TEXT NOT NULL,
    available BIGINT NOT NULL,
    held BIGINT NOT NULL CHECK (held >= 0),
    PRIMARY KEY (member_id, partner_id)
);

-- Conversions of local points into network points, one per partner reference.
CREATE TABLE local_conversions (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    reference TEXT NOT NULL,
    local_points BIGINT NOT NULL CHECK (local_points > 0),
    points BIGINT NOT NULL CHECK (points > 0),
    price_micros BIGINT NOT NULL CHECK (price_micros > 0),
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, reference)
);

ALTER TABLE redemptions ADD COLUMN asset TEXT NOT NULL DEFAULT 'PTS';
-- The local points an order earned, their lot, and what refunds took back (or forgave).
CREATE TABLE local_earns (
    earn_id BIGINT PRIMARY KEY REFERENCES earns (id),
    points BIGINT NOT NULL CHECK (points > 0),
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    clawed BIGINT NOT NULL CHECK (clawed >= 0 AND clawed <= points)
);
CREATE INDEX lots_member_asset ON lots (member_id, asset, remaining);
