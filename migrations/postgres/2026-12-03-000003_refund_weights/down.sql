ALTER TABLE earn_categories DROP COLUMN weight_bp;
ALTER TABLE earns DROP COLUMN refunded_weighted_bp;
ALTER TABLE earns DROP COLUMN weighted_bp;
