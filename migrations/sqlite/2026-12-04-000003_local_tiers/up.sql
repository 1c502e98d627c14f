-- A partner's own tiers on its local program: qualified on the local points a member earned at
-- the partner over a rolling window (net of refunds), multiplying the local points of its next
-- sales. Evaluated at each sale, without grace.
CREATE TABLE local_tier_windows (
    partner_id BIGINT PRIMARY KEY REFERENCES partners (id),
    window_months BIGINT NOT NULL CHECK (window_months BETWEEN 1 AND 36)
);

CREATE TABLE local_tiers (
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    code TEXT NOT NULL,
    tier_rank BIGINT NOT NULL CHECK (tier_rank >= 0),
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    threshold_points BIGINT NOT NULL CHECK (threshold_points >= 0),
    multiplier_bp BIGINT NOT NULL CHECK (multiplier_bp BETWEEN 10000 AND 100000),
    PRIMARY KEY (partner_id, code),
    UNIQUE (partner_id, tier_rank)
);
