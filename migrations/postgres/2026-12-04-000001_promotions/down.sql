ALTER TABLE clearing_events DROP COLUMN promotion_id;
DROP INDEX promotion_grants_earn;
DROP INDEX promotion_grants_member;
DROP TABLE promotion_grants;
DROP TABLE promotion_budgets;
DROP TABLE promotion_members;
DROP INDEX promotions_running;
DROP TABLE promotions;
