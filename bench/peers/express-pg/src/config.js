import os from 'node:os';

function required(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is required`);
  }
  return value;
}

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function loadConfig() {
  const port = positiveInt('PORT', undefined);
  if (port === undefined) throw new Error('PORT is required');
  if (port > 65535) throw new Error('PORT must be at most 65535');

  return {
    host: '127.0.0.1',
    port,
    databaseUrl: required('DATABASE_URL'),
    workers: positiveInt('WORKERS', os.availableParallelism()),
    poolSize: positiveInt('POOL_SIZE', 10),
    argon2: {
      memoryCost: positiveInt('ARGON2_MEMORY_KIB', 19456),
      timeCost: positiveInt('ARGON2_ITERATIONS', 2),
      parallelism: positiveInt('ARGON2_PARALLELISM', 1),
    },
  };
}
