DROP INDEX earns_occurred;
DROP TABLE earn_categories;
