/**
 * The fault suite's invariants as pure functions: given what every store and topic holds after the run (a
 * Snapshot), find the violations. The reader (store-reader.ts) only collects; all judgement is here, so that the
 * unit tests can prove each kind of violation is caught.
 */

export type Channel = 'email' | 'sms';
export type Role = 'peer' | 'newcomer';
export interface Consents {
  readonly email: boolean;
  readonly sms: boolean;
}

/** What the load generator was told by intake (201/202 answers), and what it submitted. */
export interface AcceptedNewcomer {
  readonly newcomerId: string;
  /** intake's answer said imminent risk: never matched, flagged urgent. */
  readonly imminent: boolean;
  readonly consents: Consents;
}
export interface EnrolledPeer {
  readonly peerId: string;
  readonly capacity: number;
  readonly consents: Consents;
}

export interface IntakeSubjectRecord {
  readonly id: string;
  readonly kind: 'newcomer' | 'peer';
  readonly outboxPending: boolean;
}
export interface MatchingNewcomerRecord {
  readonly id: string;
  readonly status: string;
  readonly currentMatchId: string | null;
  readonly riskLevel: string;
}
export interface MatchingPeerRecord {
  readonly id: string;
  readonly capacity: number;
  readonly load: number;
  readonly freeSlots: number;
  readonly holds: readonly string[];
  readonly outboxPending: boolean;
}
export interface MatchRecord {
  readonly id: string;
  readonly state: string;
  readonly newcomerId: string;
  readonly peerId: string;
  readonly capacityHeld: boolean;
  readonly outboxPending: boolean;
  /** True once the coordinator approved (an approval audit entry), whatever came after. */
  readonly approved: boolean;
}
export interface DeliveryRecord {
  readonly id: string;
  readonly matchId: string;
  readonly recipientId: string;
  readonly role: Role;
  readonly channel: Channel;
  readonly status: string;
  readonly reason: string | null;
  readonly outboxPending: boolean;
}
/** One message the SMTP server or the SMS sandbox received, attributed to a delivery (Message-ID / callback URL). */
export interface ProviderCopy {
  readonly deliveryId: string;
  readonly channel: Channel;
  readonly at: number;
}
export interface DeadLetter {
  readonly topic: string;
  readonly offset: string;
  readonly errorCode: string;
}
export interface QueueCounts {
  readonly queue: string;
  /** waiting + active + delayed + prioritized + waiting-children */
  readonly unfinished: number;
}
export interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly lag: number;
}

export interface Snapshot {
  readonly accepted: readonly AcceptedNewcomer[];
  readonly peers: readonly EnrolledPeer[];
  readonly intakeSubjects: readonly IntakeSubjectRecord[];
  readonly matchingNewcomers: readonly MatchingNewcomerRecord[];
  readonly matchingPeers: readonly MatchingPeerRecord[];
  readonly matches: readonly MatchRecord[];
  readonly deliveries: readonly DeliveryRecord[];
  readonly providerCopies: readonly ProviderCopy[];
  readonly deadLetters: readonly DeadLetter[];
  readonly queues: readonly QueueCounts[];
  readonly consumerLag: readonly ConsumerLag[];
  /** When the notifier was SIGKILLed: the one window in which a provider may receive a delivery twice. */
  readonly notifierKillTimes: readonly number[];
}

export interface InvariantResult {
  readonly name: string;
  readonly checked: number;
  readonly violations: readonly string[];
  /** Counted but not violations, each with its explanation. */
  readonly notes: readonly string[];
}

/** Match states in which the match holds one of the peer's slots (matching's HOLDS_CAPACITY). */
export const LIVE_MATCH_STATES: ReadonlySet<string> = new Set(['proposed', 'approved', 'introduced', 'active', 'needs_attention']);
const SENT_STATUSES: ReadonlySet<string> = new Set(['sent', 'delivered']);
const ROLES: readonly Role[] = ['peer', 'newcomer'];
const CHANNELS: readonly Channel[] = ['email', 'sms'];

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

/** Every accepted intake has exactly one live proposal (or match), or an urgent flag and no match at all. */
export function checkAcceptedIntakes(snapshot: Snapshot): InvariantResult {
  const violations: string[] = [];
  const inIntake = new Set(snapshot.intakeSubjects.filter((s) => s.kind === 'newcomer').map((s) => s.id));
  const inMatching = new Map(snapshot.matchingNewcomers.map((n) => [n.id, n]));
  const liveByNewcomer = groupBy(
    snapshot.matches.filter((m) => LIVE_MATCH_STATES.has(m.state)),
    (m) => m.newcomerId,
  );
  const anyByNewcomer = groupBy(snapshot.matches, (m) => m.newcomerId);
  for (const intake of snapshot.accepted) {
    const id = intake.newcomerId;
    const live = liveByNewcomer.get(id) ?? [];
    const known = inMatching.get(id);
    if (!inIntake.has(id)) violations.push(`${id}: accepted (201) but not stored by intake`);
    if (known === undefined) {
      violations.push(`${id}: accepted but unknown to matching`);
      continue;
    }
    if (intake.imminent) {
      if (known.status !== 'urgent') violations.push(`${id}: imminent risk but matching has it as ${known.status}, not urgent`);
      const any = anyByNewcomer.get(id)?.length ?? 0;
      if (any > 0) violations.push(`${id}: imminent risk but was proposed ${any} time(s): never matched automatically`);
      continue;
    }
    if (live.length !== 1) {
      violations.push(`${id}: ${live.length} live proposals/matches (status ${known.status}), expected exactly 1`);
      continue;
    }
    const only = live[0];
    if (only !== undefined && known.currentMatchId !== only.id) {
      violations.push(`${id}: its live match is ${only.id} but matching's newcomer points at ${known.currentMatchId ?? 'nothing'}`);
    }
  }
  return { name: 'every accepted intake has exactly one live proposal or an urgent flag', checked: snapshot.accepted.length, violations, notes: [] };
}

/** No peer holds more matches than the capacity they enrolled with, and the slot counters agree with the matches. */
export function checkPeerCapacity(snapshot: Snapshot): InvariantResult {
  const violations: string[] = [];
  const readModel = new Map(snapshot.matchingPeers.map((p) => [p.id, p]));
  const liveByPeer = groupBy(
    snapshot.matches.filter((m) => LIVE_MATCH_STATES.has(m.state)),
    (m) => m.peerId,
  );
  for (const peer of snapshot.peers) {
    const live = liveByPeer.get(peer.peerId) ?? [];
    const stored = readModel.get(peer.peerId);
    if (live.length > peer.capacity) violations.push(`${peer.peerId}: ${live.length} live matches, capacity ${peer.capacity}`);
    if (stored === undefined) {
      violations.push(`${peer.peerId}: enrolled but unknown to matching`);
      continue;
    }
    if (stored.load > peer.capacity || stored.freeSlots < 0) {
      violations.push(`${peer.peerId}: load ${stored.load}, free ${stored.freeSlots}, capacity ${peer.capacity}`);
    }
    if (stored.freeSlots !== stored.capacity - stored.load) violations.push(`${peer.peerId}: free slots ${stored.freeSlots} ≠ capacity ${stored.capacity} − load ${stored.load}`);
    const held = [...stored.holds].sort();
    const expected = live.map((m) => m.id).sort();
    if (held.join(',') !== expected.join(',') || stored.load !== held.length) {
      violations.push(`${peer.peerId}: holds slots for [${held.join(', ')}] (load ${stored.load}) but its live matches are [${expected.join(', ')}]`);
    }
  }
  const full = snapshot.peers.filter((peer) => (liveByPeer.get(peer.peerId)?.length ?? 0) === peer.capacity).length;
  return { name: 'no peer is over capacity', checked: snapshot.peers.length, violations, notes: [`${full} of ${snapshot.peers.length} peers ended at full capacity`] };
}

/**
 * Every approved match has, per recipient and channel, exactly one introduction when the recipient consented to
 * that channel (one ledger delivery sent/delivered and at least one copy at the provider) or a recorded permanent
 * failure; and nothing at all where they did not consent. A second provider copy of one delivery is a violation
 * unless the notifier was SIGKILLed between the copies (the documented window: provider accepted, ledger not yet
 * written).
 */
export function checkIntroductions(snapshot: Snapshot): InvariantResult {
  const violations: string[] = [];
  const notes: string[] = [];
  const consentsOf = new Map<string, Consents>([
    ...snapshot.accepted.map((n) => [n.newcomerId, n.consents] as const),
    ...snapshot.peers.map((p) => [p.peerId, p.consents] as const),
  ]);
  const deliveriesByKey = groupBy(snapshot.deliveries, (d) => `${d.matchId}/${d.recipientId}/${d.channel}`);
  const copiesByDelivery = groupBy(snapshot.providerCopies, (c) => c.deliveryId);
  const deliveryIds = new Set(snapshot.deliveries.map((d) => d.id));
  let checked = 0;
  let explainedDuplicates = 0;

  for (const match of snapshot.matches.filter((m) => m.approved)) {
    for (const role of ROLES) {
      const recipientId = role === 'peer' ? match.peerId : match.newcomerId;
      const consents = consentsOf.get(recipientId);
      for (const channel of CHANNELS) {
        checked += 1;
        const where = `match ${match.id} ${role} ${channel}`;
        const ledger = deliveriesByKey.get(`${match.id}/${recipientId}/${channel}`) ?? [];
        if (ledger.length > 1) violations.push(`${where}: ${ledger.length} ledger deliveries`);
        const delivery = ledger[0];
        const copies = delivery === undefined ? [] : (copiesByDelivery.get(delivery.id) ?? []);
        if (consents === undefined) {
          violations.push(`${where}: recipient ${recipientId} was never enrolled or accepted by this run`);
          continue;
        }
        if (!consents[channel]) {
          if (copies.length > 0) violations.push(`${where}: no consent, yet the provider received ${copies.length} message(s)`);
          if (delivery !== undefined && SENT_STATUSES.has(delivery.status)) violations.push(`${where}: no consent, yet the ledger says ${delivery.status}`);
          continue;
        }
        if (delivery === undefined) {
          violations.push(`${where}: consented, but no delivery in the ledger`);
          continue;
        }
        if (delivery.status === 'failed') {
          if (delivery.reason === null || delivery.reason === '') violations.push(`${where}: failed without a recorded reason`);
          else notes.push(`${where}: permanent failure recorded (${delivery.reason})`);
          continue;
        }
        if (!SENT_STATUSES.has(delivery.status)) {
          violations.push(`${where}: consented, ledger status ${delivery.status} (neither sent nor a recorded permanent failure)`);
          continue;
        }
        if (copies.length === 0) {
          violations.push(`${where}: ledger says ${delivery.status}, but the provider has no copy of ${delivery.id}`);
          continue;
        }
        if (copies.length > 1) {
          const times = copies.map((c) => c.at).sort((a, b) => a - b);
          const first = times[0] ?? 0;
          const last = times[times.length - 1] ?? 0;
          const killedBetween = snapshot.notifierKillTimes.some((t) => t >= first - 1_000 && t <= last);
          if (killedBetween) explainedDuplicates += copies.length - 1;
          else violations.push(`${where}: the provider received ${copies.length} copies of ${delivery.id} with no notifier crash between them`);
        }
      }
    }
  }
  for (const copy of snapshot.providerCopies) {
    if (!deliveryIds.has(copy.deliveryId)) violations.push(`provider received ${copy.channel} for ${copy.deliveryId}, which no ledger delivery has`);
  }
  if (explainedDuplicates > 0) {
    notes.push(`${explainedDuplicates} repeated provider copies, each after a notifier SIGKILL between provider acceptance and the ledger write (same Message-ID / delivery id; see README "Duplicates after a crash")`);
  }
  return { name: 'every approved match has exactly one introduction per consented recipient and channel, or a recorded permanent failure', checked, violations, notes };
}

/** Nothing is stuck: no pending outbox, no claim or half-done step, no unfinished job, no unread or dead-lettered message. */
export function checkNothingStuck(snapshot: Snapshot): InvariantResult {
  const violations: string[] = [];
  let checked = 0;
  for (const subject of snapshot.intakeSubjects) {
    checked += 1;
    if (subject.outboxPending) violations.push(`intake ${subject.kind} ${subject.id}: outbox events not yet published`);
  }
  for (const newcomer of snapshot.matchingNewcomers) {
    checked += 1;
    if (newcomer.status === 'claimed') violations.push(`matching newcomer ${newcomer.id}: still claimed by a matching round`);
  }
  for (const peer of snapshot.matchingPeers) {
    checked += 1;
    if (peer.outboxPending) violations.push(`matching peer ${peer.id}: outbox not drained`);
  }
  const deliveriesByMatch = groupBy(snapshot.deliveries, (d) => d.matchId);
  for (const match of snapshot.matches) {
    checked += 1;
    if (match.outboxPending) violations.push(`match ${match.id} (${match.state}): outbox events not yet published`);
    if (match.state === 'reserving') violations.push(`match ${match.id}: left half-made (reserving)`);
    if (match.state === 'approved') {
      const count = deliveriesByMatch.get(match.id)?.length ?? 0;
      violations.push(`match ${match.id}: still approved (${count} deliveries in the ledger, no outcome reached matching)`);
    }
    if (!LIVE_MATCH_STATES.has(match.state) && match.capacityHeld) violations.push(`match ${match.id} (${match.state}): still holds a peer slot`);
  }
  for (const delivery of snapshot.deliveries) {
    checked += 1;
    if (delivery.status === 'queued' || delivery.status === 'sending') violations.push(`delivery ${delivery.id}: left ${delivery.status}`);
    if (delivery.outboxPending) violations.push(`delivery ${delivery.id}: outcome event not yet published`);
  }
  for (const queue of snapshot.queues) {
    checked += 1;
    if (queue.unfinished > 0) violations.push(`queue ${queue.queue}: ${queue.unfinished} jobs waiting, active or delayed`);
  }
  for (const lag of snapshot.consumerLag) {
    checked += 1;
    if (lag.lag > 0) violations.push(`consumer group ${lag.group} is ${lag.lag} messages behind on ${lag.topic}`);
  }
  checked += snapshot.deadLetters.length;
  for (const dead of snapshot.deadLetters) violations.push(`dead letter on ${dead.topic} at offset ${dead.offset}: ${dead.errorCode}`);
  return { name: 'nothing is stuck (outboxes, claims, deliveries, queues, consumer lag, dead letters)', checked, violations, notes: [] };
}

export function checkInvariants(snapshot: Snapshot): InvariantResult[] {
  return [checkAcceptedIntakes(snapshot), checkPeerCapacity(snapshot), checkIntroductions(snapshot), checkNothingStuck(snapshot)];
}
