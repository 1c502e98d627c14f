-- Partners outside the old two states become suspended: the old schema has no other word.
ALTER TABLE partners DROP CONSTRAINT partners_status_check;
UPDATE partners SET status = 'suspended' WHERE status <> 'active';
ALTER TABLE partners ADD CONSTRAINT partners_status_check CHECK (status IN ('active', 'suspended'));
DROP TABLE partner_events;
DROP TABLE compatibility_alerts;
DROP TABLE compatibility_reports;
DROP TABLE contract_category_rules;
DROP TABLE catalog_products;
DROP TABLE catalog_profiles;
DROP TABLE catalog_versions;
DROP TABLE compatibility_settings;
DROP TABLE category_restrictions;
DROP TABLE taxonomy_state;
DROP TABLE categories;
