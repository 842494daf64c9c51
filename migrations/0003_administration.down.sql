-- Sessions ended by disabling their account keep an end, under the nearest
-- older reason, so that the older constraint holds.
UPDATE sessions SET end_reason = 'logout_all' WHERE end_reason = 'account_disabled';
ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_known;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_known CHECK (end_reason IN (
    'logout', 'logout_all', 'ended_by_owner', 'password_changed', 'refresh_reuse'));

DROP INDEX audit_events_occurred_at_idx;
DROP INDEX audit_events_action_id_idx;
ALTER TABLE audit_events DROP COLUMN changes;

DROP INDEX users_status_created_at_id_idx;
DROP INDEX users_role_created_at_id_idx;
DROP INDEX users_email_prefix_idx;
DROP INDEX users_created_at_id_idx;
