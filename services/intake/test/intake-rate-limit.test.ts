import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { validNewcomer } from './support/fixtures.js';

let h: IntakeHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'intake_rate', env: { INTAKE_RATE_LIMIT_PER_MINUTE: '2' } });
});
afterAll(async () => {
  await h.stop();
});

describe('rate limiting of the public endpoints', () => {
  it('answers 429 problem+json once a client used its allowance, and stores nothing more', async () => {
    expect((await h.postJson('/v1/intakes', validNewcomer())).status).toBe(201);
    expect((await h.postJson('/v1/intakes', validNewcomer())).status).toBe(201);
    const limited = await h.postJson('/v1/intakes', validNewcomer());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(((await limited.json()) as { code: string }).code).toBe('INTAKE.RATE_LIMITED');
    expect(await h.db.collection('newcomers').countDocuments()).toBe(2);
    // The form shares the allowance; reading the form is not limited.
    expect((await fetch(`${h.app.url}/intake`)).status).toBe(200);
    const form = await fetch(`${h.app.url}/intake`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'firstName=A' });
    expect(form.status).toBe(429);
  });
});

describe('the client address the rate limit counts', () => {
  it('ignores X-Forwarded-For when no proxy is trusted, so inventing addresses does not escape the limit', async () => {
    const spoofed = (n: number) => ({ 'x-forwarded-for': `203.0.113.${n}` });
    const direct = await startHarness({ name: 'intake_rate_direct', env: { INTAKE_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      expect((await direct.postJson('/v1/intakes', validNewcomer(), spoofed(1))).status).toBe(201);
      expect((await direct.postJson('/v1/intakes', validNewcomer(), spoofed(2))).status).toBe(201);
      expect((await direct.postJson('/v1/intakes', validNewcomer(), spoofed(3))).status).toBe(429);
    } finally {
      await direct.stop();
    }
  });

  it('behind one trusted proxy, counts each client the proxy names on its own', async () => {
    const proxied = await startHarness({ name: 'intake_rate_proxy', env: { INTAKE_RATE_LIMIT_PER_MINUTE: '2', INTAKE_TRUST_PROXY: '1' } });
    const from = (address: string) => ({ 'x-forwarded-for': address });
    try {
      expect((await proxied.postJson('/v1/intakes', validNewcomer(), from('203.0.113.7'))).status).toBe(201);
      expect((await proxied.postJson('/v1/intakes', validNewcomer(), from('203.0.113.7'))).status).toBe(201);
      expect((await proxied.postJson('/v1/intakes', validNewcomer(), from('203.0.113.7'))).status).toBe(429);
      expect((await proxied.postJson('/v1/intakes', validNewcomer(), from('198.51.100.9'))).status).toBe(201);
    } finally {
      await proxied.stop();
    }
  });
});
