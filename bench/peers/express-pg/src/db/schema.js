export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS peer_users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL,
  email_lower   text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL DEFAULT 'user',
  status        text NOT NULL DEFAULT 'active',
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  version       int NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS peer_sessions (
  id             uuid PRIMARY KEY,
  user_id        uuid NOT NULL REFERENCES peer_users(id) ON DELETE CASCADE,
  refresh_digest bytea NOT NULL UNIQUE,
  created_at     timestamptz NOT NULL,
  last_used_at   timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  ended_at       timestamptz
);

CREATE INDEX IF NOT EXISTS peer_sessions_user_id_idx ON peer_sessions (user_id);
`;
