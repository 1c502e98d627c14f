-- What a refund claws back follows what the returned lines earned: an earn records its amount
-- weighted by each line's multiplier (minor units x basis points; 0 for a restricted line), and
-- how much of that weight refunds have taken back. NULL for earns recorded before: their
-- refunds stay proportional to the amount.
ALTER TABLE earns ADD COLUMN weighted_bp BIGINT CHECK (weighted_bp >= 0);
ALTER TABLE earns ADD COLUMN refunded_weighted_bp BIGINT NOT NULL DEFAULT 0 CHECK (refunded_weighted_bp >= 0);
ALTER TABLE earn_categories ADD COLUMN weight_bp BIGINT NOT NULL DEFAULT 10000 CHECK (weight_bp >= 0);
