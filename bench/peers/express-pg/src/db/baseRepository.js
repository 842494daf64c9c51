import { getPool } from './pool.js';
import { DatabaseError } from '../errors.js';

export class BaseRepository {
  constructor(client = null) {
    this.client = client;
  }

  async withTransaction(callback, externalClient = null) {
    const client = externalClient || this.client || await getPool().connect();
    const isNewTransaction = !externalClient && !this.client;

    try {
      if (isNewTransaction) await client.query('BEGIN');
      const result = await callback(client);
      if (isNewTransaction) await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isNewTransaction) await client.query('ROLLBACK');
      throw error;
    } finally {
      if (isNewTransaction) client.release();
    }
  }

  async executeQuery(query, params = [], client = this.client) {
    const queryStart = process.hrtime();
    try {
      const result = await (client || getPool()).query(query, params);
      this._logQueryPerformance(query, params, queryStart);
      return result;
    } catch (error) {
      throw new DatabaseError('Query execution failed', error);
    }
  }

  _logQueryPerformance(query, params, startTime, threshold = 200) {
    const [seconds, nanoseconds] = process.hrtime(startTime);
    const duration = seconds * 1000 + nanoseconds / 1e6;

    if (duration > threshold) {
      // Parameter values are left out: here they are password hashes and token digests.
      console.warn('Slow query detected:', {
        duration: `${duration.toFixed(2)}ms`,
        query,
        paramCount: params.length,
        timestamp: new Date().toISOString(),
      });
    }
  }
}
