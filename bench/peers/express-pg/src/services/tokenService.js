import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, importPKCS8, importSPKI } from 'jose';
import { AuthenticationError } from '../errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 900;
const ALG = 'EdDSA';
const KID = 'peer';
const ISSUER = 'doorman-peer';
const AUDIENCE = 'doorman-peer';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function newRefreshToken() {
  return randomBytes(32).toString('base64url');
}

export function digestRefreshToken(token) {
  return createHash('sha256').update(token).digest();
}

export class TokenService {
  constructor(privateKey, publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  signAccessToken({ userId, sessionId, role }) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: sessionId, role })
      .setProtectedHeader({ alg: ALG, kid: KID })
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(this.privateKey);
  }

  async verifyAccessToken(token) {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
      }));
    } catch {
      throw new AuthenticationError('Invalid or expired access token');
    }
    if (!UUID.test(payload.sub ?? '') || typeof payload.sid !== 'string' || !UUID.test(payload.sid)) {
      throw new AuthenticationError('Invalid or expired access token');
    }
    return { userId: payload.sub, sessionId: payload.sid, role: payload.role };
  }
}

export async function createTokenService({ privateKeyPem, publicKeyPem }) {
  const [privateKey, publicKey] = await Promise.all([
    importPKCS8(privateKeyPem, ALG),
    importSPKI(publicKeyPem, ALG),
  ]);
  return new TokenService(privateKey, publicKey);
}
