import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, password, startHarness, users, type Harness } from './support/console.harness.js';

let h: Harness;

beforeAll(async () => {
  // A low limit so the test reaches it; the default (50) allows an office of coordinators behind one address.
  h = await startHarness({ CONSOLE_IP_MAX_FAILURES: '3', CONSOLE_LOCKOUT_MAX_FAILURES: '5' });
});
afterAll(async () => {
  await h?.stop();
});

describe('failed sign-ins from one address', () => {
  it('across different usernames make that address wait, before any single account is locked', async () => {
    for (const [i, name] of ['ann', 'bob', 'cyd'].entries()) {
      expect((await new Browserless(h.url).signIn(name, `wrong ${i}`)).status).toBe(401);
    }

    const refused = await new Browserless(h.url).signIn(users.coordinator.username, password);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Too many failed sign-ins from this network');

    // No account was locked: each username failed once, under the per-account limit.
    const locked = await h.redis.keys(`${h.config.CONSOLE_REDIS_PREFIX}login-locked:*`);
    expect(locked).toEqual([]);

    // When the address's wait is over, the right password works again.
    const addressLocks = await h.redis.keys(`${h.config.CONSOLE_REDIS_PREFIX}address:login-locked:*`);
    expect(addressLocks).toHaveLength(1);
    await h.redis.del(...addressLocks);
    expect((await new Browserless(h.url).signIn(users.coordinator.username, password)).status).toBe(303);
  });
});
