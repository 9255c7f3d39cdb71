import { Redis } from 'ioredis';
import { z } from 'zod';
import { env, errorMessage, loadConfig } from '@kindred/platform';
import { consoleAccounts } from '../console.app.js';
import { consoleConfigSchema } from '../config.js';

/**
 * Creates the first admin: `KINDRED_ADMIN_USERNAME=alice KINDRED_ADMIN_PASSWORD=… pnpm --filter @kindred/console create-admin`,
 * or pipe the password on stdin. Never from argv, which other users of the machine can read in the process list.
 */
const cliSchema = consoleConfigSchema.pick({ REDIS_URL: true, CONSOLE_REDIS_PREFIX: true }).extend({
  KINDRED_ADMIN_USERNAME: z.string({ message: 'is required but not set (the new admin’s username)' }).min(1),
  KINDRED_ADMIN_PASSWORD: z.string().optional(),
  LOG_LEVEL: env.logLevel(),
});

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (input is not hidden; prefer piping it or KINDRED_ADMIN_PASSWORD): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  if (process.argv.length > 2) {
    process.stderr.write('create-admin takes no arguments: pass KINDRED_ADMIN_USERNAME, and the password in KINDRED_ADMIN_PASSWORD or on stdin\n');
    return 2;
  }
  const config = loadConfig('console create-admin', cliSchema);
  const password = config.KINDRED_ADMIN_PASSWORD ?? (await readStdin());
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    // The session and lockout settings are irrelevant here; the defaults stand in for them.
    const full = consoleConfigSchema.parse({
      REDIS_URL: config.REDIS_URL,
      CONSOLE_REDIS_PREFIX: config.CONSOLE_REDIS_PREFIX,
      MATCHING_SERVICE_TOKEN: 'unused-by-create-admin',
      CONSOLE_SESSION_SECRET: 'unused-by-create-admin-unused-by-create-admin',
    });
    const { accounts } = consoleAccounts(redis, full);
    const account = await accounts.create({ username: config.KINDRED_ADMIN_USERNAME, password, roles: ['admin'] });
    process.stdout.write(`created admin ${account.username} (${account.id})\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`create-admin failed: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`${errorMessage(error)}\n`);
  return 1;
});
