-- Counters of the new scopes and counts given back to zero are dropped:
-- they are only attempts of the last hour.
DELETE FROM throttles WHERE scope NOT IN ('login_account', 'login_ip', 'register_ip')
    OR attempts = 0;
ALTER TABLE throttles DROP CONSTRAINT throttles_attempts_not_negative;
ALTER TABLE throttles ADD CONSTRAINT throttles_attempts_positive CHECK (attempts > 0);
ALTER TABLE throttles DROP CONSTRAINT throttles_scope_known;
ALTER TABLE throttles ADD CONSTRAINT throttles_scope_known
    CHECK (scope IN ('login_account', 'login_ip', 'register_ip'));

DROP TABLE device_tokens;
