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
