import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PEERS, demoNewcomers, demoPeer, demoPeerCount, demoPeers } from '../../deploy/demo/population.js';
import { createProgress } from '../../deploy/demo/progress.js';

type Body = Record<string, unknown> & { contact: { email: string; phone: string }; languages: string[]; topics: string[]; meetingModes: string[] };
const bodies = (people: { body: Record<string, unknown> }[]) => people.map((p) => p.body as Body);

describe('the demo population', () => {
  const peers = demoPeers(DEFAULT_DEMO_PEERS);

  it('is the same people on every machine and for every size, so an Idempotency-Key always carries the same body', () => {
    expect(demoPeers(DEFAULT_DEMO_PEERS)).toEqual(peers);
    expect(demoPeers(40)).toEqual(peers.slice(0, 40));
    expect(demoPeer(123)).toEqual(peers[123]);
    expect(new Set(peers.map((p) => p.idempotencyKey)).size).toBe(peers.length);
  });

  it('has only fictional contact details, one each', () => {
    const all = bodies([...peers, ...demoNewcomers()]);
    for (const { contact } of all) {
      expect(contact.email).toMatch(/^[a-z]+\.(peer|newcomer)\d+@example\.org$/);
      expect(contact.phone).toMatch(/^\+1 \d{3} 555 01\d\d$/);
    }
    expect(new Set(all.map((b) => b.contact.email)).size).toBe(all.length);
    expect(new Set(all.map((b) => b.contact.phone)).size).toBe(all.length);
  });

  it('varies in languages, topics, capacities, genders, meeting modes and recovery time', () => {
    const list = bodies(peers);
    const languageSets = new Set(list.map((b) => b.languages.join('+')));
    expect([...languageSets].sort()).toEqual(['en', 'en+es', 'es', 'es+en']);
    expect(new Set(list.flatMap((b) => b.topics)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(list.map((b) => b['capacity']))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(list.map((b) => b['gender'])).size).toBeGreaterThanOrEqual(4);
    expect(list.some((b) => b.meetingModes.includes('in_person'))).toBe(true);
    expect(new Set(list.map((b) => JSON.stringify(b['availability']))).size).toBeGreaterThanOrEqual(6);
    expect(new Set(list.map((b) => b['timeZone'])).size).toBeGreaterThanOrEqual(8);
    const years = list.map((b) => Number(String(b['recoveryStartedOn']).slice(0, 4)));
    expect(Math.max(...years) - Math.min(...years)).toBeGreaterThanOrEqual(15);
    // Fixed dates, never relative to today: the body must not change from one day to the next.
    expect(list.every((b) => String(b['recoveryStartedOn']) <= '2024-06-30')).toBe(true);
  });

  it('has newcomers waiting in English and Spanish, exactly one of them at imminent risk', () => {
    const newcomers = bodies(demoNewcomers());
    expect(newcomers.length).toBeGreaterThanOrEqual(6);
    expect(new Set(newcomers.map((b) => b['locale']))).toEqual(new Set(['en', 'es']));
    const imminent = newcomers.filter((b) => (b['screener'] as Record<string, boolean>)['intentToAct'] === true);
    expect(imminent).toHaveLength(1);
  });

  it('takes its size from KINDRED_DEMO_PEERS, and refuses a size that is not a whole number in range', () => {
    expect(demoPeerCount({})).toBe(DEFAULT_DEMO_PEERS);
    expect(demoPeerCount({ KINDRED_DEMO_PEERS: '40' })).toBe(40);
    expect(() => demoPeerCount({ KINDRED_DEMO_PEERS: 'many' })).toThrow(/KINDRED_DEMO_PEERS must be a whole number .* \(got "many"\)/);
    expect(() => demoPeerCount({ KINDRED_DEMO_PEERS: '100000' })).toThrow(/KINDRED_DEMO_PEERS/);
  });
});

describe('progress of a long step', () => {
  const label = (done: number, total: number) => `demo data: ${done}/${total} peers`;

  it('on a terminal, redraws one line in place and ends it', () => {
    let out = '';
    const progress = createProgress({ label, total: 3, tty: true, write: (text) => (out += text) });
    progress.update(1);
    progress.finish();
    expect(out).toBe('\r\x1b[2K[kindred] demo data: 1/3 peers\r\x1b[2K[kindred] demo data: 1/3 peers\n');
  });

  it('without a terminal, writes whole lines now and then, never control characters', () => {
    let out = '';
    const progress = createProgress({ label, total: 300, tty: false, write: (text) => (out += text), intervalMs: 60_000 });
    for (let done = 0; done <= 300; done += 1) progress.update(done);
    progress.finish('demo data: 300/300 peers entered');
    expect(out).toBe('[kindred] demo data: 0/300 peers\n[kindred] demo data: 300/300 peers entered\n');
  });
});
