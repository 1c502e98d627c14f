-- Partners outside the old two states become suspended: the old schema has no other word.
ALTER TABLE partners ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'suspended'
    CHECK (lifecycle IN ('active', 'suspended'));
UPDATE partners SET lifecycle = CASE status WHEN 'active' THEN 'active' ELSE 'suspended' END;
ALTER TABLE partners DROP COLUMN status;
ALTER TABLE partners RENAME COLUMN lifecycle TO status;
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
