/**
 * Demo data for `./kindred up`: the console's demo accounts (here) and the demo population (deploy/demo/: who they
 * are in population.ts, how they are loaded in seed.ts).
 */
import { Redis } from 'ioredis';
import { consoleAccounts, consoleConfigSchema } from '@kindred/console';
import { loadConfig } from '@kindred/platform';

/**
 * Console accounts for trying Kindred on this machine: a coordinator and an admin, with the password made once per
 * machine (kept in the cache with the other development secrets). Created only when missing.
 */
export async function ensureDemoAccounts(env: Record<string, string>, password: string): Promise<string[]> {
  const config = loadConfig('console', consoleConfigSchema, env);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    const { accounts, repository } = consoleAccounts(redis, config);
    for (const [username, roles] of [['coordinator', ['coordinator']], ['admin', ['admin']]] as const) {
      if ((await repository.findByUsername(username)) === undefined) await accounts.create({ username, password, roles });
    }
    return [`console sign-in: "coordinator" or "admin", password ${password}`];
  } finally {
    redis.disconnect();
  }
}
