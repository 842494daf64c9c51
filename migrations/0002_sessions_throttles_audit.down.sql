DROP TABLE audit_events;
DROP TABLE throttles;
DROP TABLE sessions;
