-- Administration: listing accounts newest first with filters, the changes
-- an event made, and sessions ended by disabling their account.

-- The listing's order, (created_at, id) descending, for the unfiltered
-- listing and the keyset condition of every page.
CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC);
-- The email filter is a case-insensitive prefix: `lower(email) LIKE 'ab%'`
-- can use a btree only with the pattern operator class (the database's
-- collation is not C).
CREATE INDEX users_email_prefix_idx ON users (lower(email) text_pattern_ops);
-- The role and status filters, each in the listing's order so that a page
-- is read from the index without sorting; the active administrators (the
-- last-admin rule) come from the first.
CREATE INDEX users_role_created_at_id_idx ON users (role, created_at DESC, id DESC);
CREATE INDEX users_status_created_at_id_idx ON users (status, created_at DESC, id DESC);

-- Before and after of the fields an event changed:
-- [{"field": "role", "before": "admin", "after": "user"}].
ALTER TABLE audit_events ADD COLUMN changes jsonb NOT NULL DEFAULT '[]'
    CONSTRAINT audit_events_changes_array CHECK (jsonb_typeof(changes) = 'array');
-- The action filter, newest first; the retention purge by time.
CREATE INDEX audit_events_action_id_idx ON audit_events (action, id DESC);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);

ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_known;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_known CHECK (end_reason IN (
    'logout', 'logout_all', 'ended_by_owner', 'password_changed', 'refresh_reuse',
    'account_disabled'));
