DROP TABLE local_tiers;
DROP TABLE local_tier_windows;
