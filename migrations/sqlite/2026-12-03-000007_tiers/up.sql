-- Network tiers: qualified on the member's spend (net of refunds, at every partner) over a
-- rolling window; an upgrade is immediate, a downgrade waits out a grace period; the tier's
-- multiplier applies at earn from the next sale. Seeded with member, silver and gold.
CREATE TABLE tier_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    window_months BIGINT NOT NULL CHECK (window_months BETWEEN 1 AND 36),
    grace_days BIGINT NOT NULL CHECK (grace_days BETWEEN 0 AND 365),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO tier_settings (id, window_months, grace_days, updated_at) VALUES (1, 12, 30, CURRENT_TIMESTAMP);

CREATE TABLE tiers (
    code TEXT PRIMARY KEY,
    tier_rank BIGINT NOT NULL UNIQUE CHECK (tier_rank >= 0),
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    threshold_minor BIGINT NOT NULL CHECK (threshold_minor >= 0),
    multiplier_bp BIGINT NOT NULL CHECK (multiplier_bp BETWEEN 10000 AND 100000)
);
INSERT INTO tiers (code, tier_rank, name_fr, name_en, threshold_minor, multiplier_bp) VALUES
    ('member', 0, 'Membre', 'Member', 0, 10000),
    ('silver', 1, 'Argent', 'Silver', 50000, 12500),
    ('gold', 2, 'Or', 'Gold', 150000, 15000);

-- Each member's tier (no row: the base tier), and since when their spend is below it.
CREATE TABLE member_tiers (
    member_id BIGINT PRIMARY KEY REFERENCES members (id),
    tier_code TEXT NOT NULL,
    since TIMESTAMP NOT NULL,
    below_since TIMESTAMP
);

CREATE TABLE tier_changes (
    id INTEGER PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    from_tier TEXT NOT NULL,
    to_tier TEXT NOT NULL,
    qualifying_minor BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX tier_changes_member ON tier_changes (member_id, id);
CREATE INDEX earns_member_time ON earns (member_id, occurred_at);
