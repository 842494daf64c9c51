import { AuthenticationError } from '../errors.js';
import { asyncHandler } from './asyncHandler.js';

const BEARER = /^Bearer +(\S+) *$/i;

// Verifies the access token, then loads its account through its live session
// (one query); the account is left on req.user.
export function authenticate({ tokenService, userService }) {
  return asyncHandler(async (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') || '');
    if (!match) throw new AuthenticationError('A bearer access token is required');

    const claims = await tokenService.verifyAccessToken(match[1]);
    req.auth = claims;
    req.user = await userService.getAuthenticatedUser(claims);
    next();
  });
}
