import cluster from 'node:cluster';
import pg from 'pg';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { loadConfig } from './config.js';
import { SCHEMA_SQL } from './db/schema.js';
import { KEY_ENV, runWorker } from './worker.js';

async function createSchema(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(SCHEMA_SQL);
  } finally {
    await client.end();
  }
}

async function createSigningKeyEnv() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  return {
    [KEY_ENV.privateKey]: await exportPKCS8(privateKey),
    [KEY_ENV.publicKey]: await exportSPKI(publicKey),
  };
}

async function runPrimary() {
  const config = loadConfig();
  await createSchema(config.databaseUrl);
  const workerEnv = await createSigningKeyEnv();

  let listening = 0;
  let ready = false;
  let shuttingDown = false;

  const liveWorkers = () => Object.values(cluster.workers);

  const shutdown = (signal, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.exitCode = code;
    const workers = liveWorkers();
    if (workers.length === 0) process.exit(code);
    for (const worker of workers) worker.process.kill(signal);
    setTimeout(() => {
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, 10000).unref();
  };

  cluster.on('listening', () => {
    listening += 1;
    if (!ready && listening === config.workers) {
      ready = true;
      console.log(`listening on ${config.host}:${config.port}`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    if (shuttingDown) {
      if (liveWorkers().length === 0) process.exit(process.exitCode);
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal || `code ${code}`})`);
    if (ready) {
      cluster.fork(workerEnv);
    } else {
      shutdown('SIGTERM', 1);
    }
  });

  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  for (let i = 0; i < config.workers; i += 1) cluster.fork(workerEnv);
}

const run = cluster.isPrimary ? runPrimary : runWorker;
run().catch((error) => {
  console.error(`${cluster.isPrimary ? 'primary' : `worker ${process.pid}`}: ${error.message}`);
  process.exit(1);
});
