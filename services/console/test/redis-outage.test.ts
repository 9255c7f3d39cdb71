import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@kindred/platform';
import { latePort, testInfra, uniqueName, waitFor, type LatePort } from '@kindred/testkit';
import { consoleConfigSchema, startConsole, type RunningConsole } from '@kindred/console';
import { Browserless, password, users } from './support/console.harness.js';
import { startFakeMatching, type FakeMatching } from './support/fake-matching.server.js';

/** Redis is reached through a port that refuses connections at first ("Redis is down"), then forwards to the real one. */
let redis: LatePort;
let matching: FakeMatching;
let app: RunningConsole;

beforeAll(async () => {
  redis = await latePort();
  matching = await startFakeMatching();
  const config = loadConfig('console', consoleConfigSchema, {
    CONSOLE_HTTP_PORT: '0',
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    CONSOLE_REDIS_PREFIX: `${uniqueName('console_redis_down')}:`,
    MATCHING_GRPC_ADDR: matching.address,
    MATCHING_SERVICE_TOKEN: matching.token,
    CONSOLE_SESSION_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
    CONSOLE_COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
  });
  app = await startConsole({ config, log: createLogger({ service: 'console', level: 'silent' }) });
});
afterAll(async () => {
  await app?.stop();
  await matching?.stop();
  await redis?.close();
});

describe('while Redis cannot be reached', () => {
  it('the console starts, is alive but not ready, refuses sign-in with 503, and works once Redis is back', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${app.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ checks: { redis: false } });

    const refused = await new Browserless(app.url).signIn(users.coordinator.username, password);
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('The console cannot reach its session store');
    expect(refused.body).toContain('Nothing was changed');
    expect(refused.headers.getSetCookie().some((line) => line.startsWith('kindred_session'))).toBe(false);

    await redis.forwardTo(new URL(testInfra().redisUrl).host);
    await waitFor(async () => (await fetch(`${app.url}/readyz`)).status === 200, { timeoutMs: 20_000, description: 'the console ready again' });
    await app.accounts.create({ username: users.coordinator.username, password, roles: users.coordinator.roles });
    const client = new Browserless(app.url);
    expect((await client.signIn(users.coordinator.username, password)).status).toBe(303);
    expect((await client.get('/queue')).status).toBe(200);
  });
});
