import { randomUUID } from 'node:crypto';
import { AuthenticationError, ForbiddenError, ValidationError } from '../errors.js';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  digestRefreshToken,
  newRefreshToken,
} from './tokenService.js';
import { toUserJSON } from './userService.js';
import {
  checkDisplayName,
  checkEmail,
  checkLength,
  requireObject,
  requireString,
} from './validation.js';

const INVALID_CREDENTIALS = 'Invalid email or password';

export class AuthService {
  constructor({ userRepository, sessionRepository, passwordService, tokenService }) {
    this.userRepository = userRepository;
    this.sessionRepository = sessionRepository;
    this.passwordService = passwordService;
    this.tokenService = tokenService;
  }

  async register(body) {
    requireObject(body, ['email', 'password', 'displayName']);
    const email = checkEmail(requireString(body, 'email'));
    const password = checkLength(requireString(body, 'password'), 'password', 10, 256);
    const displayName = checkDisplayName(requireString(body, 'displayName'));

    const passwordHash = await this.passwordService.hash(password);
    const user = await this.userRepository.create({
      id: randomUUID(),
      email,
      emailLower: email.toLowerCase(),
      passwordHash,
      displayName,
    });
    return toUserJSON(user);
  }

  async login(body) {
    requireObject(body, ['email', 'password']);
    const email = requireString(body, 'email').trim();
    const password = requireString(body, 'password');
    if (email.length > 254) throw new ValidationError('email must be at most 254 characters', 'email');
    checkLength(password, 'password', 1, 256);

    const user = await this.userRepository.findByEmailLower(email.toLowerCase());
    const passwordOk = await this.passwordService.verify(user?.password_hash, password);
    if (!user || !passwordOk || user.status !== 'active') {
      throw new AuthenticationError(INVALID_CREDENTIALS);
    }

    const refreshToken = newRefreshToken();
    const session = await this.sessionRepository.create({
      id: randomUUID(),
      userId: user.id,
      refreshDigest: digestRefreshToken(refreshToken),
    });
    return this.tokenPair(user, session.id, refreshToken);
  }

  async refresh(body) {
    requireObject(body, ['refreshToken']);
    const presented = requireString(body, 'refreshToken');

    const { user, sessionId, refreshToken } = await this.sessionRepository.withTransaction(
      async (client) => {
        const row = await this.sessionRepository.findLiveByDigestForUpdate(
          digestRefreshToken(presented),
          client,
        );
        if (!row) throw new AuthenticationError('Invalid refresh token');
        if (row.status !== 'active') throw new ForbiddenError('The account is disabled');

        const next = newRefreshToken();
        await this.sessionRepository.rotate(row.session_id, digestRefreshToken(next), client);
        return { user: row, sessionId: row.session_id, refreshToken: next };
      },
    );
    return this.tokenPair(user, sessionId, refreshToken);
  }

  async tokenPair(user, sessionId, refreshToken) {
    const accessToken = await this.tokenService.signAccessToken({
      userId: user.id,
      sessionId,
      role: user.role,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken,
      user: toUserJSON(user),
    };
  }
}
