import { BaseRepository } from '../db/baseRepository.js';

export const SESSION_LIFETIME_DAYS = 30;

export class SessionRepository extends BaseRepository {
  async create({ id, userId, refreshDigest }, client) {
    const { rows } = await this.executeQuery(
      `INSERT INTO peer_sessions (id, user_id, refresh_digest, created_at, last_used_at, expires_at)
       VALUES ($1, $2, $3, now(), now(), now() + make_interval(days => $4))
       RETURNING id, user_id, expires_at`,
      [id, userId, refreshDigest, SESSION_LIFETIME_DAYS],
      client,
    );
    return rows[0];
  }

  // Locks the live session of a refresh digest, with its account's row alongside.
  async findLiveByDigestForUpdate(refreshDigest, client) {
    const { rows } = await this.executeQuery(
      `SELECT s.id AS session_id, u.*
         FROM peer_sessions s
         JOIN peer_users u ON u.id = s.user_id
        WHERE s.refresh_digest = $1 AND s.ended_at IS NULL AND s.expires_at > now()
          FOR UPDATE OF s`,
      [refreshDigest],
      client,
    );
    return rows[0] || null;
  }

  async rotate(sessionId, newRefreshDigest, client) {
    await this.executeQuery(
      'UPDATE peer_sessions SET refresh_digest = $2, last_used_at = now() WHERE id = $1',
      [sessionId, newRefreshDigest],
      client,
    );
  }
}

export const sessionRepository = new SessionRepository();
