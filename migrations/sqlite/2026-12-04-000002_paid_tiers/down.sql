DROP INDEX tier_purchases_time;
DROP INDEX tier_purchases_member;
DROP TABLE tier_purchases;
ALTER TABLE tier_settings DROP COLUMN qualify_on;
ALTER TABLE tiers DROP COLUMN fee_to;
ALTER TABLE tiers DROP COLUMN paid_months;
ALTER TABLE tiers DROP COLUMN price_minor;
