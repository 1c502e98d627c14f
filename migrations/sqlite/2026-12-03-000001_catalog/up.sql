-- Catalogs and compatibility: the category tree (Google's, with the network's own additions),
-- restricted subtrees, partner catalogs and their profiles, contract category rules, the
-- partner lifecycle's audit trail, compatibility reports and drift alerts.

-- Google's ids stay below one billion; the network's own categories are numbered from
-- 1,000,000,001 so that a later Google file can never collide with them.
CREATE TABLE categories (
    id BIGINT PRIMARY KEY CHECK (id > 0),
    parent_id BIGINT REFERENCES categories (id),
    name_en TEXT NOT NULL,
    name_fr TEXT,
    depth BIGINT NOT NULL CHECK (depth BETWEEN 1 AND 8),
    origin TEXT NOT NULL CHECK (origin IN ('google', 'network')),
    retired_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX categories_parent ON categories (parent_id);

-- One row: which Google file the tree comes from, and a revision that every change to the
-- tree or to the restrictions bumps, so that servers know when to reload their copy.
CREATE TABLE taxonomy_state (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    google_version TEXT NOT NULL,
    revision BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE category_restrictions (
    category_id BIGINT PRIMARY KEY REFERENCES categories (id),
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE compatibility_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    conflict_overlap_ppm BIGINT NOT NULL CHECK (conflict_overlap_ppm BETWEEN 1 AND 1000000),
    complementary_min_ppm BIGINT NOT NULL CHECK (complementary_min_ppm BETWEEN 1 AND 1000000),
    exclusivity_breach_ppm BIGINT NOT NULL CHECK (exclusivity_breach_ppm BETWEEN 1 AND 1000000),
    restricted_max_ppm BIGINT NOT NULL CHECK (restricted_max_ppm BETWEEN 1 AND 1000000),
    unmapped_warning_ppm BIGINT NOT NULL CHECK (unmapped_warning_ppm BETWEEN 1 AND 1000000),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO compatibility_settings VALUES (1, 150000, 100000, 10000, 200000, 50000, CURRENT_TIMESTAMP);

-- Each good upload; the latest is the partner's catalog, the earlier ones keep their profile
-- (catalog_profiles) for drift.
CREATE TABLE catalog_versions (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    format TEXT NOT NULL CHECK (format IN ('tsv', 'xml', 'csv', 'json')),
    products BIGINT NOT NULL CHECK (products > 0),
    unmapped BIGINT NOT NULL CHECK (unmapped >= 0),
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX catalog_versions_partner ON catalog_versions (partner_id, id);

CREATE TABLE catalog_profiles (
    version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
    category_id BIGINT NOT NULL REFERENCES categories (id),
    products BIGINT NOT NULL CHECK (products > 0),
    PRIMARY KEY (version_id, category_id)
);

-- The current catalog only: a good upload replaces a partner's rows in one transaction.
CREATE TABLE catalog_products (
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    sku TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
    title TEXT NOT NULL,
    category_id BIGINT REFERENCES categories (id),
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    currency TEXT NOT NULL,
    PRIMARY KEY (partner_id, sku)
);

-- Category rules of a contract version: a multiplier on a subtree, or the exclusivity of a
-- subtree (no other partner may be admitted selling in it).
CREATE TABLE contract_category_rules (
    contract_id BIGINT NOT NULL REFERENCES partner_contracts (id),
    category_id BIGINT NOT NULL REFERENCES categories (id),
    multiplier_bp BIGINT CHECK (multiplier_bp BETWEEN 0 AND 1000000),
    exclusive BOOLEAN NOT NULL,
    PRIMARY KEY (contract_id, category_id)
);

CREATE TABLE compatibility_reports (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    catalog_version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
    verdict TEXT NOT NULL CHECK (verdict IN ('distant', 'complementary', 'conflict', 'restricted')),
    body TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE INDEX compatibility_reports_partner ON compatibility_reports (partner_id, id);

-- An active partner whose catalog drifted into a conflict (or into restricted categories).
CREATE TABLE compatibility_alerts (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    report_id BIGINT NOT NULL REFERENCES compatibility_reports (id),
    previous_verdict TEXT,
    verdict TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT
);
CREATE INDEX compatibility_alerts_open ON compatibility_alerts (acknowledged_at, id);

-- Every lifecycle transition: who, why, and whether it overrode a conflict.
CREATE TABLE partner_events (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    override_conflict BOOLEAN NOT NULL,
    report_id BIGINT REFERENCES compatibility_reports (id),
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX partner_events_partner ON partner_events (partner_id, id);

-- The lifecycle: applied -> active | rejected; active -> suspended -> active | terminated.
-- SQLite cannot change a CHECK constraint in place: the column is replaced.
ALTER TABLE partners ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'applied'
    CHECK (lifecycle IN ('applied', 'active', 'rejected', 'suspended', 'terminated'));
UPDATE partners SET lifecycle = status;
ALTER TABLE partners DROP COLUMN status;
ALTER TABLE partners RENAME COLUMN lifecycle TO status;
