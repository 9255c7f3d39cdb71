import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleConfigSchema } from '@kindred/console';
import { Browserless, password, startHarness, users, type Harness } from './support/console.harness.js';

const required = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  MATCHING_SERVICE_TOKEN: 'x'.repeat(16),
  CONSOLE_SESSION_SECRET: 'y'.repeat(32),
};
const trustProxy = (value?: string) => consoleConfigSchema.safeParse({ ...required, ...(value === undefined ? {} : { CONSOLE_TRUST_PROXY: value }) });

describe('CONSOLE_TRUST_PROXY', () => {
  it('trusts no proxy unless told, and takes a hop count or a list of addresses, subnets and names', () => {
    expect(trustProxy().data?.CONSOLE_TRUST_PROXY).toBe(false);
    expect(trustProxy('1').data?.CONSOLE_TRUST_PROXY).toBe(1);
    expect(trustProxy('loopback, 10.0.0.0/8, fd00::/8, 192.0.2.1').data?.CONSOLE_TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
  });

  it.each(['yes', '11', '10.0.0.0/33', 'example.org', 'loopback,,'])('refuses %j, naming what is wrong', (value) => {
    const result = trustProxy(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['CONSOLE_TRUST_PROXY']);
    expect(result.error?.issues[0]?.message).toMatch(/is not a hop count/);
  });

  it('refuses true, which would let any client choose its own address', () => {
    expect(trustProxy('true').error?.issues[0]?.message).toMatch(/would trust every hop/);
  });
});

describe('failed sign-ins behind one trusted proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CONSOLE_TRUST_PROXY: '1', CONSOLE_IP_MAX_FAILURES: '3', CONSOLE_LOCKOUT_MAX_FAILURES: '5' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('count against the client the proxy names, so one person does not make everyone behind the proxy wait', async () => {
    const guesser = { 'x-forwarded-for': '203.0.113.7' };
    for (const [i, name] of ['ann', 'bob', 'cyd'].entries()) {
      expect((await new Browserless(h.url, guesser).signIn(name, `wrong ${i}`)).status).toBe(401);
    }
    expect((await new Browserless(h.url, guesser).signIn(users.coordinator.username, password)).status).toBe(429);

    const colleague = new Browserless(h.url, { 'x-forwarded-for': '198.51.100.9' });
    expect((await colleague.signIn(users.coordinator.username, password)).status).toBe(303);
  });
});

describe('failed sign-ins with no trusted proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CONSOLE_IP_MAX_FAILURES: '3', CONSOLE_LOCKOUT_MAX_FAILURES: '5' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('ignore X-Forwarded-For, so a guesser cannot escape the throttle by inventing addresses', async () => {
    for (const [i, name] of ['ann', 'bob', 'cyd'].entries()) {
      const spoofed = new Browserless(h.url, { 'x-forwarded-for': `203.0.113.${10 + i}` });
      expect((await spoofed.signIn(name, `wrong ${i}`)).status).toBe(401);
    }
    const next = new Browserless(h.url, { 'x-forwarded-for': '198.51.100.9' });
    expect((await next.signIn(users.coordinator.username, password)).status).toBe(429);
  });
});
