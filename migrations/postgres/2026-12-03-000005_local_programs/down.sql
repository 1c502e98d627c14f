DROP INDEX lots_member_asset;
DROP TABLE local_earns;
ALTER TABLE redemptions DROP COLUMN asset;
DROP TABLE local_conversions;
DROP TABLE local_wallets;
DROP TABLE local_programs;
