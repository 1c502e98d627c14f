DROP TABLE network_clock;
