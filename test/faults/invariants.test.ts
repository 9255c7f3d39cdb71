import { describe, expect, it } from 'vitest';
import { faultSchedule } from './fault-schedule.js';
import { checkAcceptedIntakes, checkIntroductions, checkInvariants, checkNothingStuck, checkPeerCapacity, type Snapshot } from './invariants.js';
import { seededRandom } from './seeded-random.js';

const both = { email: true, sms: true };
const emailOnly = { email: true, sms: false };

/**
 * A run that ended well: newcomer n1 matched with peer p1 (capacity 1) and introduced by email to both and SMS to the
 * peer (n1 consented to email only); n2 urgent; n3 proposed to p2, awaiting a coordinator; one declined match that
 * released its slot.
 */
function healthy(): Snapshot {
  return {
    accepted: [
      { newcomerId: 'n1', imminent: false, consents: emailOnly },
      { newcomerId: 'n2', imminent: true, consents: both },
      { newcomerId: 'n3', imminent: false, consents: both },
    ],
    peers: [
      { peerId: 'p1', capacity: 1, consents: both },
      { peerId: 'p2', capacity: 2, consents: both },
    ],
    intakeSubjects: [
      ...['n1', 'n2', 'n3'].map((id) => ({ id, kind: 'newcomer' as const, outboxPending: false })),
      ...['p1', 'p2'].map((id) => ({ id, kind: 'peer' as const, outboxPending: false })),
    ],
    matchingNewcomers: [
      { id: 'n1', status: 'matched', currentMatchId: 'm1', riskLevel: 'none' },
      { id: 'n2', status: 'urgent', currentMatchId: null, riskLevel: 'imminent' },
      { id: 'n3', status: 'proposed', currentMatchId: 'm3', riskLevel: 'none' },
    ],
    matchingPeers: [
      { id: 'p1', capacity: 1, load: 1, freeSlots: 0, holds: ['m1'], outboxPending: false },
      { id: 'p2', capacity: 2, load: 1, freeSlots: 1, holds: ['m3'], outboxPending: false },
    ],
    matches: [
      { id: 'm0', state: 'declined', newcomerId: 'n3', peerId: 'p1', capacityHeld: false, outboxPending: false, approved: false },
      { id: 'm1', state: 'introduced', newcomerId: 'n1', peerId: 'p1', capacityHeld: true, outboxPending: false, approved: true },
      { id: 'm3', state: 'proposed', newcomerId: 'n3', peerId: 'p2', capacityHeld: true, outboxPending: false, approved: false },
    ],
    deliveries: [
      { id: 'd-pe', matchId: 'm1', recipientId: 'p1', role: 'peer', channel: 'email', status: 'sent', reason: null, outboxPending: false },
      { id: 'd-ps', matchId: 'm1', recipientId: 'p1', role: 'peer', channel: 'sms', status: 'delivered', reason: null, outboxPending: false },
      { id: 'd-ne', matchId: 'm1', recipientId: 'n1', role: 'newcomer', channel: 'email', status: 'sent', reason: null, outboxPending: false },
      { id: 'd-ns', matchId: 'm1', recipientId: 'n1', role: 'newcomer', channel: 'sms', status: 'suppressed', reason: 'no_consent', outboxPending: false },
    ],
    providerCopies: [
      { deliveryId: 'd-pe', channel: 'email', at: 1_000 },
      { deliveryId: 'd-ps', channel: 'sms', at: 1_100 },
      { deliveryId: 'd-ne', channel: 'email', at: 1_200 },
    ],
    deadLetters: [],
    queues: [
      { queue: 'email', unfinished: 0 },
      { queue: 'sms', unfinished: 0 },
    ],
    consumerLag: [{ group: 'matching', topic: 'newcomers', lag: 0 }],
    notifierKillTimes: [],
  };
}

const violationsOf = (results: ReturnType<typeof checkInvariants>) => results.flatMap((r) => r.violations);

describe('the invariant checker', () => {
  it('finds nothing wrong in a run that ended well, and counts what it checked', () => {
    const results = checkInvariants(healthy());
    expect(violationsOf(results)).toEqual([]);
    expect(results.map((r) => r.checked)).toEqual([3, 2, 4, 3 + 5 + 2 + 3 + 4 + 2 + 1]);
    expect(results[1]?.notes).toEqual(['1 of 2 peers ended at full capacity']);
  });

  describe('every accepted intake has exactly one live proposal or an urgent flag', () => {
    it('catches an accepted intake that matching never heard of', () => {
      const s = healthy();
      const run = { ...s, matchingNewcomers: s.matchingNewcomers.filter((n) => n.id !== 'n3') };
      expect(checkAcceptedIntakes(run).violations).toEqual(['n3: accepted but unknown to matching']);
    });

    it('catches an accepted intake that intake did not keep', () => {
      const s = healthy();
      const run = { ...s, intakeSubjects: s.intakeSubjects.filter((x) => x.id !== 'n1') };
      expect(checkAcceptedIntakes(run).violations).toEqual(['n1: accepted (201) but not stored by intake']);
    });

    it('catches a newcomer left waiting without a proposal', () => {
      const s = healthy();
      const run = { ...s, matches: s.matches.filter((m) => m.id !== 'm3') };
      expect(checkAcceptedIntakes(run).violations).toEqual(['n3: 0 live proposals/matches (status proposed), expected exactly 1']);
    });

    it('catches a newcomer with two live proposals', () => {
      const s = healthy();
      const run = { ...s, matches: [...s.matches, { id: 'm4', state: 'proposed', newcomerId: 'n3', peerId: 'p2', capacityHeld: true, outboxPending: false, approved: false }] };
      expect(checkAcceptedIntakes(run).violations).toEqual(['n3: 2 live proposals/matches (status proposed), expected exactly 1']);
    });

    it('catches an imminent-risk newcomer that was proposed to a peer, or not flagged urgent', () => {
      const s = healthy();
      const proposed = { ...s, matches: [...s.matches, { id: 'm5', state: 'declined', newcomerId: 'n2', peerId: 'p2', capacityHeld: false, outboxPending: false, approved: false }] };
      expect(checkAcceptedIntakes(proposed).violations).toEqual(['n2: imminent risk but was proposed 1 time(s): never matched automatically']);
      const unflagged = { ...s, matchingNewcomers: s.matchingNewcomers.map((n) => (n.id === 'n2' ? { ...n, status: 'waiting' } : n)) };
      expect(checkAcceptedIntakes(unflagged).violations).toEqual(['n2: imminent risk but matching has it as waiting, not urgent']);
    });
  });

  describe('no peer is over capacity', () => {
    it('catches a peer with more live matches than capacity', () => {
      const s = healthy();
      const run = {
        ...s,
        matches: [...s.matches, { id: 'm6', state: 'proposed', newcomerId: 'n3', peerId: 'p1', capacityHeld: true, outboxPending: false, approved: false }],
      };
      expect(checkPeerCapacity(run).violations).toContain('p1: 2 live matches, capacity 1');
    });

    it('catches a slot still held for a match that is over (a leak), and counters that disagree', () => {
      const s = healthy();
      const leaked = { ...s, matchingPeers: s.matchingPeers.map((p) => (p.id === 'p2' ? { ...p, load: 2, freeSlots: 0, holds: ['m0', 'm3'] } : p)) };
      expect(checkPeerCapacity(leaked).violations).toEqual(['p2: holds slots for [m0, m3] (load 2) but its live matches are [m3]']);
      const negative = { ...s, matchingPeers: s.matchingPeers.map((p) => (p.id === 'p1' ? { ...p, freeSlots: -1 } : p)) };
      expect(checkPeerCapacity(negative).violations).toEqual(['p1: load 1, free -1, capacity 1', 'p1: free slots -1 ≠ capacity 1 − load 1']);
    });
  });

  describe('every approved match has exactly one introduction per consented recipient and channel', () => {
    it('catches a consented channel with no introduction', () => {
      const s = healthy();
      const run = { ...s, deliveries: s.deliveries.filter((d) => d.id !== 'd-ps'), providerCopies: s.providerCopies.filter((c) => c.deliveryId !== 'd-ps') };
      expect(checkIntroductions(run).violations).toEqual(['match m1 peer sms: consented, but no delivery in the ledger']);
    });

    it('catches a ledger that says sent when the provider never got it', () => {
      const s = healthy();
      const run = { ...s, providerCopies: s.providerCopies.filter((c) => c.deliveryId !== 'd-ne') };
      expect(checkIntroductions(run).violations).toEqual(['match m1 newcomer email: ledger says sent, but the provider has no copy of d-ne']);
    });

    it('catches a message sent on a channel the recipient did not consent to', () => {
      const s = healthy();
      const run = { ...s, providerCopies: [...s.providerCopies, { deliveryId: 'd-ns', channel: 'sms' as const, at: 1_300 }] };
      expect(checkIntroductions(run).violations).toEqual(['match m1 newcomer sms: no consent, yet the provider received 1 message(s)']);
    });

    it('catches a second copy with no crash to explain it, and explains one that follows a notifier SIGKILL', () => {
      const s = healthy();
      const twice = { ...s, providerCopies: [...s.providerCopies, { deliveryId: 'd-pe', channel: 'email' as const, at: 5_000 }] };
      expect(checkIntroductions(twice).violations).toEqual(['match m1 peer email: the provider received 2 copies of d-pe with no notifier crash between them']);
      const afterKill = { ...twice, notifierKillTimes: [1_050] };
      const result = checkIntroductions(afterKill);
      expect(result.violations).toEqual([]);
      expect(result.notes.join('\n')).toMatch(/1 repeated provider copies/);
    });

    it('accepts a recorded permanent failure, but not a failure without a reason or a delivery left retrying', () => {
      const s = healthy();
      const failed = (reason: string | null, status = 'failed') => ({
        ...s,
        deliveries: s.deliveries.map((d) => (d.id === 'd-ps' ? { ...d, status, reason } : d)),
        providerCopies: s.providerCopies.filter((c) => c.deliveryId !== 'd-ps'),
      });
      expect(checkIntroductions(failed('twilio_21610')).violations).toEqual([]);
      expect(checkIntroductions(failed(null)).violations).toEqual(['match m1 peer sms: failed without a recorded reason']);
      expect(checkIntroductions(failed(null, 'queued')).violations).toEqual([
        'match m1 peer sms: consented, ledger status queued (neither sent nor a recorded permanent failure)',
      ]);
    });
  });

  describe('nothing is stuck', () => {
    it('catches pending outboxes in each service', () => {
      const s = healthy();
      const run = {
        ...s,
        intakeSubjects: s.intakeSubjects.map((x) => (x.id === 'n1' ? { ...x, outboxPending: true } : x)),
        matches: s.matches.map((m) => (m.id === 'm3' ? { ...m, outboxPending: true } : m)),
        deliveries: s.deliveries.map((d) => (d.id === 'd-pe' ? { ...d, outboxPending: true } : d)),
      };
      expect(checkNothingStuck(run).violations).toEqual([
        'intake newcomer n1: outbox events not yet published',
        'match m3 (proposed): outbox events not yet published',
        'delivery d-pe: outcome event not yet published',
      ]);
    });

    it('catches a match left approved, a delivery left sending, a claimed newcomer and a released match still holding a slot', () => {
      const s = healthy();
      const run = {
        ...s,
        matches: s.matches.map((m) => (m.id === 'm1' ? { ...m, state: 'approved' } : m.id === 'm0' ? { ...m, capacityHeld: true } : m)),
        deliveries: s.deliveries.map((d) => (d.id === 'd-pe' ? { ...d, status: 'sending' } : d)),
        matchingNewcomers: s.matchingNewcomers.map((n) => (n.id === 'n3' ? { ...n, status: 'claimed' } : n)),
      };
      expect(checkNothingStuck(run).violations).toEqual([
        'matching newcomer n3: still claimed by a matching round',
        'match m0 (declined): still holds a peer slot',
        'match m1: still approved (4 deliveries in the ledger, no outcome reached matching)',
        'delivery d-pe: left sending',
      ]);
    });

    it('catches unfinished jobs, consumer lag and any dead letter', () => {
      const s = healthy();
      const run = {
        ...s,
        queues: [{ queue: 'sms', unfinished: 2 }],
        consumerLag: [{ group: 'notifier', topic: 'matches', lag: 3 }],
        deadLetters: [{ topic: 'kindred-matching.dlq', offset: '7', errorCode: 'MATCH.DECODE' }],
      };
      expect(checkNothingStuck(run).violations).toEqual([
        'queue sms: 2 jobs waiting, active or delayed',
        'consumer group notifier is 3 messages behind on matches',
        'dead letter on kindred-matching.dlq at offset 7: MATCH.DECODE',
      ]);
    });
  });
});

describe('the fault schedule', () => {
  const options = { loadMs: 100_000, extraKills: 2, providerFaultSeconds: 15 };

  it('kills every service at least once, restarts Kafka, Redis and MongoDB once each, and arms both provider faults, all inside the load', () => {
    const faults = faultSchedule(seededRandom(42), options);
    const killed = new Set(faults.flatMap((f) => (f.kind === 'kill-service' ? [f.service] : [])));
    expect([...killed].sort()).toEqual(['console', 'intake', 'matching', 'notifier']);
    expect(faults.flatMap((f) => (f.kind === 'restart-server' ? [f.server] : [])).sort()).toEqual(['kafka', 'mongo', 'redis']);
    expect(faults.filter((f) => f.kind === 'smtp-4xx')).toHaveLength(1);
    expect(faults.filter((f) => f.kind === 'sms-429-500')).toHaveLength(1);
    expect(faults).toHaveLength(4 + 2 + 3 + 2);
    for (const fault of faults) expect(fault.atMs).toBeGreaterThanOrEqual(10_000);
    for (const fault of faults) expect(fault.atMs).toBeLessThanOrEqual(90_000);
    expect(faults.map((f) => f.atMs)).toEqual([...faults.map((f) => f.atMs)].sort((a, b) => a - b));
  });

  it('replays exactly from the same seed, and differs for another', () => {
    expect(faultSchedule(seededRandom(7), options)).toEqual(faultSchedule(seededRandom(7), options));
    expect(faultSchedule(seededRandom(7), options)).not.toEqual(faultSchedule(seededRandom(8), options));
  });

  it('never has two server restarts in the same slice of the window', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const restarts = faultSchedule(seededRandom(seed), options)
        .filter((f) => f.kind === 'restart-server')
        .map((f) => f.atMs);
      for (let i = 1; i < restarts.length; i += 1) expect((restarts[i] ?? 0) - (restarts[i - 1] ?? 0)).toBeGreaterThan(0.8 * 100_000 * (1 / 3 - 0.2));
    }
  });
});
