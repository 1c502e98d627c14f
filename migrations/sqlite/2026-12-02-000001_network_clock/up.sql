-- The adjustable (demo and test) clock's offset, shared by every server instance on this
-- database: moving the clock on one instance moves it for all. Forward only.
CREATE TABLE network_clock (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    offset_s BIGINT NOT NULL CHECK (offset_s >= 0)
);
INSERT INTO network_clock (id, offset_s) VALUES (1, 0);
