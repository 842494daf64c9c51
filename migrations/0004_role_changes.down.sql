-- Sessions ended by a change of role keep an end, under the nearest older
-- reason, so that the older constraint holds.
UPDATE sessions SET end_reason = 'logout_all' WHERE end_reason = 'role_changed';
ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_known;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_known CHECK (end_reason IN (
    'logout', 'logout_all', 'ended_by_owner', 'password_changed', 'refresh_reuse',
    'account_disabled'));
