-- The client's own `x-request-id`, kept apart from the service's id of the
-- request (`request_id`, a UUID v7 the service makes): a client chooses its
-- id, so a trail that filed requests under it would let one pass for
-- another. Nullable and without a default, so adding it rewrites nothing,
-- and the previous version's inserts, which do not name it, still work.
ALTER TABLE audit_events
    ADD COLUMN client_request_id text
        CONSTRAINT audit_events_client_request_id_length
            CHECK (char_length(client_request_id) <= 128);
