-- Promotions: bonus points on top of a sale's points (or at enrolment), funded by the partner
-- that runs them (partner_id) or by the operator (partner_id NULL, at every partner). The rule:
-- its multiplier (multiplier, category_bonus), its points (the fixed-points rules), and its
-- condition in rule_param (category_bonus: the category id; nth_purchase: N; minimum_basket: the
-- smallest basket in minor units).
CREATE TABLE promotions (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT REFERENCES partners (id),
    name TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('all', 'tier', 'segment', 'members')),
    target_value TEXT,
    rule_kind TEXT NOT NULL CHECK (rule_kind IN ('multiplier', 'fixed_bonus', 'category_bonus', 'nth_purchase', 'first_purchase', 'welcome', 'referral', 'minimum_basket')),
    multiplier_bp BIGINT,
    bonus_points BIGINT,
    rule_param BIGINT,
    priority BIGINT NOT NULL,
    exclusive BOOLEAN NOT NULL,
    budget_points BIGINT CHECK (budget_points > 0),
    per_member_cap BIGINT CHECK (per_member_cap > 0),
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX promotions_running ON promotions (ends_at, starts_at);

-- A promotion's target list.
CREATE TABLE promotion_members (
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    PRIMARY KEY (promotion_id, member_id)
);

-- A budget split into rows: a member takes from its own row first, so concurrent earns of
-- different members do not queue on one row; the rows never go below zero.
CREATE TABLE promotion_budgets (
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    shard BIGINT NOT NULL,
    remaining BIGINT NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (promotion_id, shard)
);

-- Each bonus given: its own lot, the earn it rode on (none for a welcome or referral bonus),
-- what refunds took back.
CREATE TABLE promotion_grants (
    id INTEGER PRIMARY KEY,
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    partner_id BIGINT REFERENCES partners (id),
    earn_id BIGINT REFERENCES earns (id),
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    points BIGINT NOT NULL CHECK (points > 0),
    clawed_points BIGINT NOT NULL DEFAULT 0 CHECK (clawed_points >= 0 AND clawed_points <= points),
    -- A category bonus: the weight of its category's lines that refunds returned so far.
    refunded_basis_bp BIGINT NOT NULL DEFAULT 0,
    granted_at TIMESTAMP NOT NULL
);
CREATE INDEX promotion_grants_member ON promotion_grants (promotion_id, member_id);
CREATE INDEX promotion_grants_earn ON promotion_grants (earn_id);

-- Each member's referral code, drawn when first asked for.
CREATE TABLE referral_codes (
    member_id BIGINT PRIMARY KEY REFERENCES members (id),
    code TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Who referred whom (one referrer per member, never oneself), the referral promotion and the
-- purchase that qualified it, when both sides are paid (the end of that purchase's return
-- window), and when they were.
CREATE TABLE referrals (
    referred_member_id BIGINT PRIMARY KEY REFERENCES members (id),
    referrer_member_id BIGINT NOT NULL REFERENCES members (id),
    created_at TIMESTAMP NOT NULL,
    promotion_id BIGINT REFERENCES promotions (id),
    earn_id BIGINT REFERENCES earns (id),
    payable_at TIMESTAMP,
    rewarded_at TIMESTAMP,
    CHECK (referred_member_id <> referrer_member_id)
);
CREATE INDEX referrals_due ON referrals (payable_at);
CREATE INDEX referrals_referrer ON referrals (referrer_member_id);

-- A promotion's clearing events (its bonus points issued or clawed back), shown apart on the
-- partner's statement.
ALTER TABLE clearing_events ADD COLUMN promotion_id BIGINT;
