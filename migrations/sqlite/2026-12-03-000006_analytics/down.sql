DROP INDEX rfm_scores_segment;
DROP TABLE rfm_scores;
