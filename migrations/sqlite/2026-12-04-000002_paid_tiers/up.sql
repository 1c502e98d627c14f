-- Paid tiers: a tier with a price can be bought for some months (a member's paid tier counts
-- when it is above the tier their spend reaches). The fee is money: each purchase is an entry
-- of the network's chain (what the member paid, what the seller sold); when it is owed to the
-- operator, the seller's next statement bills it.
ALTER TABLE tiers ADD COLUMN price_minor BIGINT;
ALTER TABLE tiers ADD COLUMN paid_months BIGINT;
ALTER TABLE tiers ADD COLUMN fee_to TEXT;
-- What members qualify on: their spend (minor units) or the points they earned.
ALTER TABLE tier_settings ADD COLUMN qualify_on TEXT NOT NULL DEFAULT 'spend';

CREATE TABLE tier_purchases (
    id INTEGER PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    tier_code TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    fee_to TEXT NOT NULL CHECK (fee_to IN ('operator', 'seller')),
    purchased_at TIMESTAMP NOT NULL,
    paid_until TIMESTAMP NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES journal_entries (id),
    UNIQUE (partner_id, order_id)
);
CREATE INDEX tier_purchases_member ON tier_purchases (member_id, paid_until);
CREATE INDEX tier_purchases_time ON tier_purchases (purchased_at);
