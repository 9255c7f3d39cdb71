import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { imminentScreener, validNewcomer, validPeer } from './support/fixtures.js';

let h: IntakeHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'intake_events' });
});
afterAll(async () => {
  await h.stop();
});

/** Every string that must never reach a topic. */
const pii = ['Alexandra', 'alex.rivera@example.org', '2015550123', '+12015550123', 'lost a parent', 'Marisol', 'marisol.peer', '612345678', 'brother'];

function expectNoPii(bytes: Buffer, headers: Readonly<Record<string, string>>) {
  const text = `${bytes.toString('latin1')} ${bytes.toString('utf8')} ${JSON.stringify(headers)}`;
  for (const value of pii) expect(text).not.toContain(value);
}

describe('events published by intake', () => {
  it('publishes NewcomerRegistered keyed by the newcomer id, with matching attributes and no PII', async () => {
    const res = await h.postJson('/v1/intakes', validNewcomer());
    const { id } = (await res.json()) as { id: string };
    const [event] = await h.waitForEvents(h.topics.newcomers, 1);
    expect(event!.record.key).toBe(id);
    expect(event!.record.headers['kindred-event-id']).toBe(event!.envelope.eventId);
    expect(event!.record.headers['kindred-event-type']).toBe('kindred.events.v1.NewcomerRegistered');
    expect(event!.envelope).toMatchObject({ type: 'kindred.events.v1.NewcomerRegistered', producer: 'intake', aggregateId: id, schemaVersion: 1 });
    expect(event!.envelope.eventId).toMatch(/^[0-9A-Z]{26}$/);
    if (event!.envelope.event.$case !== 'newcomerRegistered') throw new Error('wrong payload');
    const registered = event!.envelope.event.newcomerRegistered;
    expect(registered).toMatchObject({
      newcomerId: id,
      topics: [events.Topic.TOPIC_ANXIETY, events.Topic.TOPIC_GRIEF],
      languages: ['en', 'es'],
      ageBand: events.AgeBand.AGE_BAND_25_34,
      gender: events.Gender.GENDER_WOMAN,
      genderPreference: { kind: events.GenderPreference_Kind.KIND_SAME, genders: [], mustHave: false },
      timeZone: 'America/Chicago',
      region: 'US-TX',
      meetingModes: [events.MeetingMode.MEETING_MODE_VIDEO, events.MeetingMode.MEETING_MODE_IN_PERSON],
      riskLevel: events.RiskLevel.RISK_LEVEL_NONE,
      urgent: false,
      consentShareTopics: true,
      locale: 'en',
    });
    // Friday 22:00–01:00 arrives as two windows: Friday to midnight, Saturday from midnight.
    expect(registered.availability).toEqual([
      { day: 0, startMinute: 1080, endMinute: 1230 },
      { day: 4, startMinute: 1320, endMinute: 1440 },
      { day: 5, startMinute: 0, endMinute: 60 },
    ]);
    expectNoPii(event!.record.value, event!.record.headers);
  });

  it('carries the urgent flag and imminent risk level for an imminent-risk intake', async () => {
    const res = await h.postJson('/v1/intakes', validNewcomer({ screener: imminentScreener }));
    const { id } = (await res.json()) as { id: string };
    const all = await h.waitForEvents(h.topics.newcomers, 2);
    const event = all.find((e) => e.record.key === id)!;
    if (event.envelope.event.$case !== 'newcomerRegistered') throw new Error('wrong payload');
    expect(event.envelope.event.newcomerRegistered.urgent).toBe(true);
    expect(event.envelope.event.newcomerRegistered.riskLevel).toBe(events.RiskLevel.RISK_LEVEL_IMMINENT);
  });

  it('publishes the peer profile, then PeerPaused before the updated profile, in order on one key', async () => {
    const { id, editToken } = (await (await h.postJson('/v1/peers', validPeer())).json()) as { id: string; editToken: string };
    await fetch(`${h.app.url}/v1/peers/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${editToken}` },
      body: JSON.stringify({ pause: { until: '2999-06-01', reason: 'vacation' } }),
    });
    const mine = (await h.waitForEvents(h.topics.peers, 3)).filter((e) => e.record.key === id);
    expect(mine.map((e) => e.envelope.event.$case)).toEqual(['peerProfileUpserted', 'peerPaused', 'peerProfileUpserted']);
    expect(new Set(mine.map((e) => e.record.partition)).size).toBe(1);
    const first = mine[0]!.envelope.event;
    if (first.$case !== 'peerProfileUpserted') throw new Error('wrong payload');
    expect(first.peerProfileUpserted).toMatchObject({ peerId: id, capacity: 3, active: true, consented: true, certified: true, recoveryStartedOn: '2015-03-01', locale: 'es', pausedUntil: undefined });
    const paused = mine[1]!.envelope.event;
    if (paused.$case !== 'peerPaused') throw new Error('wrong payload');
    expect(paused.peerPaused).toEqual({ peerId: id, pausedUntil: new Date('2999-06-01T00:00:00.000Z'), reasonCode: 'vacation' });
    const last = mine[2]!.envelope.event;
    if (last.$case !== 'peerProfileUpserted') throw new Error('wrong payload');
    expect(last.peerProfileUpserted.pausedUntil).toEqual(new Date('2999-06-01T00:00:00.000Z'));
    for (const e of mine) expectNoPii(e.record.value, e.record.headers);
  });

  it('logs each request by its route pattern, and never PII', () => {
    const all = h.logs.join('\n');
    expect(all).toContain('"route":"/v1/intakes","status":201');
    expect(all).toContain('"route":"/v1/peers/:id","status":200');
    for (const value of pii) expect(all).not.toContain(value);
  });
});
