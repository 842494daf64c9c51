import { BaseRepository } from '../db/baseRepository.js';
import { ConflictError } from '../errors.js';

const UNIQUE_VIOLATION = '23505';

export class UserRepository extends BaseRepository {
  async create({ id, email, emailLower, passwordHash, displayName }, client) {
    try {
      const { rows } = await this.executeQuery(
        `INSERT INTO peer_users (id, email, email_lower, password_hash, display_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, now(), now())
         RETURNING *`,
        [id, email, emailLower, passwordHash, displayName],
        client,
      );
      return rows[0];
    } catch (error) {
      if (error.code === UNIQUE_VIOLATION) {
        throw new ConflictError('The email address is already registered', 'email');
      }
      throw error;
    }
  }

  async findByEmailLower(emailLower, client) {
    const { rows } = await this.executeQuery(
      'SELECT * FROM peer_users WHERE email_lower = $1',
      [emailLower],
      client,
    );
    return rows[0] || null;
  }

  // The account behind a live session, in one query.
  async findByLiveSession(sessionId, userId, client) {
    const { rows } = await this.executeQuery(
      `SELECT u.*
         FROM peer_sessions s
         JOIN peer_users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.ended_at IS NULL AND s.expires_at > now()`,
      [sessionId, userId],
      client,
    );
    return rows[0] || null;
  }
}

export const userRepository = new UserRepository();
