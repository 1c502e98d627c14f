-- What members buy, by category: each earn's categorised lines, summed per category. The
-- compatibility report weighs a partner's overlap by its sales, and measures how often the
-- buyers of a candidate's categories shop at each partner (observed affinity).
CREATE TABLE earn_categories (
    earn_id BIGINT NOT NULL REFERENCES earns (id),
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    category_id BIGINT NOT NULL REFERENCES categories (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    occurred_at TIMESTAMP NOT NULL,
    PRIMARY KEY (earn_id, category_id)
);
CREATE INDEX earn_categories_partner ON earn_categories (partner_id, occurred_at);
CREATE INDEX earn_categories_category ON earn_categories (category_id, occurred_at, member_id);
CREATE INDEX earns_occurred ON earns (occurred_at, partner_id, member_id);
