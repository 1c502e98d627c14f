DROP INDEX lots_expiring;
DROP INDEX lots_pending;
