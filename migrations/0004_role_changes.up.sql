-- Sessions ended because their account's role changed: a promotion by the
-- command line, a demotion by an administrator. Their access tokens carry
-- the old role, which services downstream may trust.
ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_known;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_known CHECK (end_reason IN (
    'logout', 'logout_all', 'ended_by_owner', 'password_changed', 'refresh_reuse',
    'account_disabled', 'role_changed'));
