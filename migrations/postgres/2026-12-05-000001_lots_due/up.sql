-- What a member's next request must do to their lots before anything else: the pending lots
-- whose return window ended (to mature) and the lots whose expiry date passed (to expire).
-- Each request that locks a member asks whether any is due, through these two indexes,
-- instead of reading every open lot of the member.
CREATE INDEX lots_pending ON lots (member_id, available_at) WHERE NOT matured;
CREATE INDEX lots_expiring ON lots (member_id, expires_at);
