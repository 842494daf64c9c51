import pg from 'pg';

let pool = null;

export function createPool({ databaseUrl, poolSize }) {
  pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle client losing its connection must not crash the worker.
  pool.on('error', (error) => {
    console.error(`pg pool: idle client error: ${error.message}`);
  });
  return pool;
}

export function getPool() {
  if (!pool) throw new Error('pool not created');
  return pool;
}

export async function closePool() {
  if (pool) {
    const current = pool;
    pool = null;
    await current.end();
  }
}
