import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Session {
  /** Hash of the cookie token: the Redis key and the CSRF binding. The token itself is never stored. */
  readonly key: string;
  readonly accountId: string;
  readonly createdAt: number;
}

export interface SessionStore {
  /** Returns the cookie token for a fresh session. */
  create(accountId: string): Promise<string>;
  /** Loads the session and slides its idle timeout; undefined when missing, idle-expired or past its maximum age. */
  touch(token: string): Promise<Session | undefined>;
  destroy(token: string): Promise<void>;
  destroyAllFor(accountId: string): Promise<void>;
}

export interface SessionPolicy {
  readonly idleMs: number;
  readonly maxAgeMs: number;
}

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Idle timeout is the Redis TTL, refreshed on every request; the maximum age is checked against `createdAt`. */
export function redisSessionStore(redis: Redis, prefix: string, policy: SessionPolicy): SessionStore {
  const sessionKey = (key: string) => `${prefix}session:${key}`;
  const byAccountKey = (accountId: string) => `${prefix}sessions-of:${accountId}`;
  return {
    async create(accountId) {
      const token = randomBytes(32).toString('base64url');
      const key = keyOf(token);
      await redis
        .multi()
        .hset(sessionKey(key), { accountId, createdAt: String(Date.now()) })
        .pexpire(sessionKey(key), policy.idleMs)
        .sadd(byAccountKey(accountId), key)
        .pexpire(byAccountKey(accountId), policy.maxAgeMs)
        .exec();
      return token;
    },
    async touch(token) {
      if (!tokenPattern.test(token)) return undefined;
      const key = keyOf(token);
      const row = await redis.hgetall(sessionKey(key));
      const accountId = row['accountId'];
      const createdAt = Number(row['createdAt']);
      if (!accountId || !Number.isFinite(createdAt)) return undefined;
      if (Date.now() - createdAt > policy.maxAgeMs) {
        await redis.del(sessionKey(key));
        return undefined;
      }
      // A session that expired between the read and here stays expired: PEXPIRE on a missing key is a no-op.
      const refreshed = await redis.pexpire(sessionKey(key), policy.idleMs);
      if (refreshed !== 1) return undefined;
      return { key, accountId, createdAt };
    },
    async destroy(token) {
      if (!tokenPattern.test(token)) return;
      const key = keyOf(token);
      const accountId = await redis.hget(sessionKey(key), 'accountId');
      await redis.del(sessionKey(key));
      if (accountId) await redis.srem(byAccountKey(accountId), key);
    },
    async destroyAllFor(accountId) {
      const keys = await redis.smembers(byAccountKey(accountId));
      if (keys.length > 0) await redis.del(...keys.map(sessionKey));
      await redis.del(byAccountKey(accountId));
    },
  };
}
