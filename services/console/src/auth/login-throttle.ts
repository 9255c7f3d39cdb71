import type { Redis } from 'ioredis';

export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export interface LoginThrottle {
  isLocked(username: string): Promise<boolean>;
  /** Counts a failure; returns true when this failure locked the account. */
  recordFailure(username: string): Promise<boolean>;
  recordSuccess(username: string): Promise<void>;
}

/**
 * Failures are counted per username (existing or not, so that the answer reveals nothing) in a window that
 * starts at the first failure; reaching the limit locks the username for `lockMs`, even for the right password.
 */
export function redisLoginThrottle(redis: Redis, prefix: string, policy: LockoutPolicy): LoginThrottle {
  const failKey = (u: string) => `${prefix}login-failures:${u}`;
  const lockKey = (u: string) => `${prefix}login-locked:${u}`;
  return {
    async isLocked(username) {
      return (await redis.exists(lockKey(username))) === 1;
    },
    async recordFailure(username) {
      const results = await redis.multi().set(failKey(username), '0', 'PX', policy.windowMs, 'NX').incr(failKey(username)).exec();
      const count = Number(results?.[1]?.[1] ?? 0);
      if (count >= policy.maxFailures) {
        await redis.multi().set(lockKey(username), '1', 'PX', policy.lockMs).del(failKey(username)).exec();
        return true;
      }
      return false;
    },
    async recordSuccess(username) {
      await redis.del(failKey(username));
    },
  };
}
