import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { validNewcomer, validPeer } from './support/fixtures.js';

let h: IntakeHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'intake_state' });
});
afterAll(async () => {
  await h.stop();
});

const newcomerPii = ['Alexandra', 'alex.rivera', 'example.org', '2015550123', '201 555 0123', 'lost a parent'];

describe('stored state', () => {
  it('keeps no plaintext name, email, phone or free text: a raw read finds only sealed fields', async () => {
    const { id } = (await (await h.postJson('/v1/intakes', validNewcomer())).json()) as { id: string };
    const doc = await h.db.collection('newcomers').findOne({ _id: id as never });
    expect(doc).not.toBeNull();
    const raw = JSON.stringify(doc);
    for (const value of newcomerPii) expect(raw).not.toContain(value);
    const sealed = doc!['pii'] as Record<string, string>;
    expect(Object.keys(sealed).sort()).toEqual(['email', 'firstName', 'hopes', 'phone', 'screener']);
    for (const value of Object.values(sealed)) expect(value).toMatch(/^v1:[\w-]{16}:[\w-]+:[\w-]{22}$/);
    expect(doc!['phoneIndex']).toMatch(/^[0-9a-f]{64}$/);
    expect(doc!['emailIndex']).toMatch(/^[0-9a-f]{64}$/);
    expect(doc!['consents']).toMatchObject({ email: true, sms: true, shareFirstName: true, shareTopics: true, noticeVersion: '2026-01', consentedAt: expect.any(Date) as unknown });
    expect(doc!['screening']).toEqual({ riskLevel: 'none', urgent: false });
    const keys = await h.db.collection('subject_keys').findOne({ _id: id as never });
    expect(String(keys!['wrappedKey'])).toMatch(/^v1:/);
  });

  it('writes the intake and its pending event in the same document, then the relay marks it sent', async () => {
    await h.app.relay.drain();
    const { id } = (await (await h.postJson('/v1/intakes', validNewcomer())).json()) as { id: string };
    await h.app.relay.drain();
    const doc = await h.db.collection('newcomers').findOne({ _id: id as never });
    expect(doc).toMatchObject({ outboxSeq: 1, outboxSentSeq: 1, outboxPending: false, outbox: [] });
  });

  it('stores a peer with sealed PII and only the hash of the edit token', async () => {
    const { id, editToken } = (await (await h.postJson('/v1/peers', validPeer())).json()) as { id: string; editToken: string };
    const doc = await h.db.collection('peers').findOne({ _id: id as never });
    const raw = JSON.stringify(doc);
    for (const value of ['Marisol', 'marisol.peer', '612345678', '612 34 56 78', 'brother', editToken]) expect(raw).not.toContain(value);
    expect(doc!['editTokenHash']).toMatch(/^[0-9a-f]{64}$/);
    expect(doc!['profile']).toMatchObject({ capacity: 3, certified: true, active: true, topics: ['grief', 'depression'] });
  });

  it('stores one document for a retried POST', async () => {
    const payload = validNewcomer({ firstName: 'Once' });
    await h.postJson('/v1/intakes', payload, { 'idempotency-key': 'state-once' });
    await h.postJson('/v1/intakes', payload, { 'idempotency-key': 'state-once' });
    expect(await h.db.collection('newcomers').countDocuments({ idempotencyKey: 'k:state-once' })).toBe(1);
  });

  it('stores one document when the same Idempotency-Key arrives concurrently', async () => {
    const payload = validNewcomer({ firstName: 'Racer' });
    const responses = await Promise.all(Array.from({ length: 6 }, () => h.postJson('/v1/intakes', payload, { 'idempotency-key': 'state-race' })));
    const ids = await Promise.all(responses.map(async (r) => (r.status === 201 ? ((await r.json()) as { id: string }).id : `status ${r.status}`)));
    expect(new Set(ids).size).toBe(1);
    expect(await h.db.collection('newcomers').countDocuments({ idempotencyKey: 'k:state-race' })).toBe(1);
    // The losers' keys were destroyed: exactly one key per stored subject.
    const subjects = await h.db.collection('newcomers').countDocuments();
    const peers = await h.db.collection('peers').countDocuments();
    expect(await h.db.collection('subject_keys').countDocuments()).toBe(subjects + peers);
  });
});
