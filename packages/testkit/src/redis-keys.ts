import { Redis } from 'ioredis';

/**
 * Deletes (UNLINK) every key matching a SCAN pattern, a thousand at a time, and returns how many went. With `filter`,
 * only the matching keys it accepts. For cleaning what a test run left on a long-lived Redis.
 */
export async function unlinkRedisKeys(redisUrl: string, pattern: string, filter: (key: string) => boolean = () => true): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  await redis.connect();
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      const chosen = keys.filter(filter);
      if (chosen.length > 0) removed += await redis.unlink(...chosen);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}
