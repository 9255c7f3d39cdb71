import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { imminentScreener, validNewcomer, validPeer } from './support/fixtures.js';

let h: IntakeHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'intake_response' });
});
afterAll(async () => {
  await h.stop();
});

describe('JSON API responses', () => {
  it('registers a newcomer: 201 with an id, no crisis resources when the screener is clear', async () => {
    const res = await h.postJson('/v1/intakes', validNewcomer());
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ id: expect.stringMatching(/^[0-9A-Z]{26}$/) as unknown, status: 'received', riskLevel: 'none', urgent: false });
    // No Location: an intake is not readable over the public API (its details are personal).
    expect(res.headers.get('location')).toBeNull();
  });

  it('answers imminent risk with the crisis resources at once, marked urgent', async () => {
    const res = await h.postJson('/v1/intakes', validNewcomer({ screener: imminentScreener }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { urgent: boolean; riskLevel: string; crisisResources: { emergencyNumber: string; lines: { call?: string; text?: string; chatUrl?: string }[] } };
    expect(body.riskLevel).toBe('imminent');
    expect(body.urgent).toBe(true);
    expect(body.crisisResources.emergencyNumber).toBe('911');
    expect(body.crisisResources.lines[0]).toMatchObject({ call: '988', text: '988', chatUrl: expect.stringContaining('988') as unknown });
  });

  it('replays a retried POST with the same Idempotency-Key: same id, nothing new', async () => {
    const payload = validNewcomer({ firstName: 'Retry' });
    const first = await h.postJson('/v1/intakes', payload, { 'idempotency-key': 'retry-key-1' });
    const second = await h.postJson('/v1/intakes', payload, { 'idempotency-key': 'retry-key-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
  });

  it('enrolls a peer and lets them pause with a return date using their edit token', async () => {
    const res = await h.postJson('/v1/peers', validPeer());
    expect(res.status).toBe(201);
    const { id, editToken } = (await res.json()) as { id: string; editToken: string };
    expect(editToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const put = (body: unknown, token?: string) =>
      fetch(`${h.app.url}/v1/peers/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    const paused = await put({ pause: { until: '2999-06-01', reason: 'vacation' }, capacity: 2 }, editToken);
    expect(paused.status).toBe(200);
    expect(await paused.json()).toEqual({ id, active: true, pausedUntil: '2999-06-01' });

    const resumed = await put({ resume: true }, editToken);
    expect(await resumed.json()).toEqual({ id, active: true, pausedUntil: null });

    const refused = await put({ capacity: 1 }, 'not-the-token');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses an update that would leave the profile invalid, naming the field', async () => {
    const { id, editToken } = (await (await h.postJson('/v1/peers', validPeer())).json()) as { id: string; editToken: string };
    const res = await fetch(`${h.app.url}/v1/peers/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${editToken}` },
      body: JSON.stringify({ meetingModes: ['in_person'] }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([{ field: 'region', code: 'required_for_in_person', message: expect.any(String) as unknown }]);
  });

  it('answers 404 for an unknown peer', async () => {
    const res = await fetch(`${h.app.url}/v1/peers/01J00000000000000000000000`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{"capacity":1}' });
    expect(res.status).toBe(404);
  });

  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const doc = (await (await fetch(`${h.app.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: { NewcomerIntake: { properties: Record<string, unknown>; additionalProperties: unknown; required: string[] } } };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/v1/intakes', '/v1/peers', '/v1/peers/{id}']);
    const intake = doc.components.schemas.NewcomerIntake;
    expect(intake.additionalProperties).toBe(false);
    expect(intake.required).toEqual(expect.arrayContaining(['firstName', 'contact', 'consents', 'screener', 'topics']) as unknown);
    expect(intake.properties['topics']).toMatchObject({ items: { enum: expect.arrayContaining(['trauma_ptsd', 'postpartum']) as unknown } });
  });
});
