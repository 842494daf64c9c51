-- The client's own `x-request-id`, kept apart from the service's id of the
-- request (`request_id`, a UUID v7 the service makes): a client chooses its
-- id, so a trail that filed requests under it would let one pass for
-- another. Events written before this migration, or by a server of the
-- previous version while both run, still hold the client's id, if it sent
-- one, in `request_id`.
--
-- Nullable and without a default, so the previous version's inserts, which
-- do not name it, still work and no row is rewritten.
ALTER TABLE audit_events ADD COLUMN client_request_id text;

-- NOT VALID: every existing row is NULL, which passes, and checking them
-- would scan the trail while holding the lock that every sign-in's insert
-- waits for. New rows are checked all the same.
ALTER TABLE audit_events
    ADD CONSTRAINT audit_events_client_request_id_length
        CHECK (char_length(client_request_id) <= 128) NOT VALID;
