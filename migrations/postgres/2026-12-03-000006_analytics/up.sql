-- Program analytics: each member's recency, frequency and monetary scores (quintiles, 1 to 5)
-- and named segment, network-wide (scope 0) and per partner (scope = partner id), replaced
-- whole by each recompute of a scope.
CREATE TABLE rfm_scores (
    scope_partner_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members (id),
    recency_days BIGINT NOT NULL CHECK (recency_days >= 0),
    frequency BIGINT NOT NULL CHECK (frequency > 0),
    monetary_minor BIGINT NOT NULL,
    r BIGINT NOT NULL CHECK (r BETWEEN 1 AND 5),
    f BIGINT NOT NULL CHECK (f BETWEEN 1 AND 5),
    m BIGINT NOT NULL CHECK (m BETWEEN 1 AND 5),
    segment TEXT NOT NULL CHECK (segment IN ('champions', 'loyal', 'new', 'potential', 'at_risk', 'hibernating', 'lost')),
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope_partner_id, member_id)
);
CREATE INDEX rfm_scores_segment ON rfm_scores (scope_partner_id, segment, member_id);
