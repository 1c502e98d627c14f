DROP TABLE brand_suspensions;
DROP TABLE brand_slugs;
DROP TABLE brands;
DROP TABLE brand_logos;
