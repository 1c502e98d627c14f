DROP TABLE disputes;
DROP TABLE payments;
DROP TABLE statements;
DROP TABLE settlement_runs;
DROP TABLE network_keys;
DROP TABLE chain_heads;
DROP TABLE clearing_events;
ALTER TABLE partner_contracts DROP COLUMN period_fee_minor;
