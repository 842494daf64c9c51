import { AuthenticationError, ForbiddenError } from '../errors.js';

export function toUserJSON(row) {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export class UserService {
  constructor({ userRepository }) {
    this.userRepository = userRepository;
  }

  // The account of an access token, as long as its session is live.
  async getAuthenticatedUser({ sessionId, userId }) {
    const user = await this.userRepository.findByLiveSession(sessionId, userId);
    if (!user) throw new AuthenticationError('The session has ended');
    if (user.status !== 'active') throw new ForbiddenError('The account is disabled');
    return toUserJSON(user);
  }
}
