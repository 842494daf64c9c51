import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id: the package declares Algorithm as a TypeScript const enum,
// so it has no value at run time.
const ARGON2ID = 2;

export class PasswordService {
  constructor(options, dummyHash) {
    this.options = options;
    this.dummyHash = dummyHash;
  }

  hash(password) {
    return hash(password, this.options);
  }

  // Verifies against a throw-away hash when there is no account, so that an
  // unknown email costs as much as a wrong password.
  async verify(passwordHash, password) {
    try {
      return await verify(passwordHash || this.dummyHash, password);
    } catch {
      return false;
    }
  }
}

export async function createPasswordService({ memoryCost, timeCost, parallelism }) {
  const options = { algorithm: ARGON2ID, memoryCost, timeCost, parallelism };
  const dummyHash = await hash(randomBytes(24).toString('base64url'), options);
  return new PasswordService(options, dummyHash);
}
