-- The clients' ids are only a help to correlate: they go with the column,
-- and its constraint with it.
ALTER TABLE audit_events DROP COLUMN client_request_id;
