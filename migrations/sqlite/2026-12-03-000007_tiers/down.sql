DROP INDEX earns_member_time;
DROP INDEX tier_changes_member;
DROP TABLE tier_changes;
DROP TABLE member_tiers;
DROP TABLE tiers;
DROP TABLE tier_settings;
