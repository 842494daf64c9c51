import { loadConfig } from './config.js';
import { closePool, createPool } from './db/pool.js';
import { userRepository } from './repositories/userRepository.js';
import { sessionRepository } from './repositories/sessionRepository.js';
import { createPasswordService } from './services/passwordService.js';
import { createTokenService } from './services/tokenService.js';
import { AuthService } from './services/authService.js';
import { UserService } from './services/userService.js';
import { createApp } from './app.js';

export const KEY_ENV = {
  privateKey: 'PEER_SIGNING_KEY_PKCS8',
  publicKey: 'PEER_SIGNING_KEY_SPKI',
};

export async function runWorker() {
  const config = loadConfig();
  const privateKeyPem = process.env[KEY_ENV.privateKey];
  const publicKeyPem = process.env[KEY_ENV.publicKey];
  if (!privateKeyPem || !publicKeyPem) throw new Error('the signing key was not handed over');
  delete process.env[KEY_ENV.privateKey];

  createPool(config);
  const [passwordService, tokenService] = await Promise.all([
    createPasswordService(config.argon2),
    createTokenService({ privateKeyPem, publicKeyPem }),
  ]);
  const userService = new UserService({ userRepository });
  const authService = new AuthService({
    userRepository,
    sessionRepository,
    passwordService,
    tokenService,
  });
  const app = createApp({ authService, userService, tokenService });

  const server = app.listen(config.port, config.host);
  server.on('error', (error) => {
    console.error(`worker ${process.pid}: ${error.message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      closePool().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    setTimeout(() => process.exit(1), 8000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
