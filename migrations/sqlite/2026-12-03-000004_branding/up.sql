-- Branding over the shared ledger: each partner's brand, versioned (members see the latest;
-- every change is a new version, with who made it), its slug unique across the network, its
-- logos, and the operator's suspensions.
CREATE TABLE brand_logos (
    sha256 TEXT PRIMARY KEY,
    png BLOB NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE brands (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    version BIGINT NOT NULL CHECK (version > 0),
    slug TEXT NOT NULL,
    display_name TEXT NOT NULL,
    primary_color TEXT NOT NULL,
    accent_color TEXT NOT NULL,
    text_color TEXT NOT NULL,
    points_label_fr TEXT NOT NULL,
    points_label_en TEXT NOT NULL,
    default_locale TEXT NOT NULL CHECK (default_locale IN ('fr-FR', 'en-GB')),
    rules_markdown TEXT NOT NULL,
    rules_html TEXT NOT NULL,
    logo_sha256 TEXT REFERENCES brand_logos (sha256),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, version)
);

-- The slug each partner's brand answers to, one per partner and one partner per slug.
CREATE TABLE brand_slugs (
    slug TEXT PRIMARY KEY,
    partner_id BIGINT NOT NULL UNIQUE REFERENCES partners (id)
);

CREATE TABLE brand_suspensions (
    partner_id BIGINT PRIMARY KEY REFERENCES partners (id),
    reason TEXT NOT NULL,
    suspended_by TEXT NOT NULL,
    suspended_at TIMESTAMP NOT NULL
);
