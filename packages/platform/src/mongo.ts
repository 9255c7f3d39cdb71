import mongoose, { type Connection } from 'mongoose';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';

export interface MongoConfig {
  readonly url: string;
  /** Each service owns its database; no service reads another's. */
  readonly dbName: string;
  readonly log: Logger;
  readonly serverSelectionTimeoutMs?: number;
}

/**
 * A dedicated mongoose connection (never the global one, so tests and services can hold several).
 * It must work on FerretDB too: no transactions, change streams or TTL indexes are assumed anywhere.
 */
export async function connectMongo(config: MongoConfig): Promise<Connection> {
  const connection = mongoose.createConnection(config.url, {
    dbName: config.dbName,
    serverSelectionTimeoutMS: config.serverSelectionTimeoutMs ?? 10_000,
    autoIndex: false,
    // Mongoose otherwise sends createCollection in the background as each model is declared, unawaited. On
    // mongo-java-server a dropDatabase landing mid-create fails with "index not found with name [_id_]" (2 runs in
    // 15 of test/smoke/mongo.smoke.test.ts; 0 in 30 without it). Collections appear on first write or syncIndexes.
    autoCreate: false,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new AppError('PLATFORM.MONGO_UNAVAILABLE', `cannot reach MongoDB for database ${config.dbName}`, {
      retriable: true,
      cause: error,
    });
  }
  config.log.info({ db: config.dbName }, 'connected to MongoDB');
  return connection;
}

/** Creates the declared indexes of every model on this connection; unique indexes are part of correctness here. */
export async function syncIndexes(connection: Connection): Promise<void> {
  for (const model of Object.values(connection.models)) {
    await model.createIndexes();
  }
}

export async function pingMongo(connection: Connection): Promise<boolean> {
  try {
    const db = connection.db;
    if (!db) return false;
    await db.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/** True when a driver error is a duplicate-key violation of a unique index (code 11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
