import { randomUUID } from 'node:crypto';
import type { AcceptedNewcomer, Consents, EnrolledPeer } from './invariants.js';
import type { SeededRandom } from './seeded-random.js';

const NOTICE_VERSION = '2026-01';
const EVENINGS = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '17:00', end: '21:00' }));
/** Every peer shares these; each newcomer picks from them, so any peer with a free slot fits any newcomer. */
const TOPICS = ['anxiety', 'depression', 'grief', 'loneliness'] as const;

export interface LoadStats {
  submitted: number;
  accepted: number;
  /** Answers that were connection errors or 5xx, each retried with the same Idempotency-Key. */
  retries: number;
  /** 201s that said Idempotent-Replayed: a retry whose first attempt had in fact been stored. */
  replayed: number;
  /** Given up after the retry budget (counted, never recorded as accepted). */
  abandoned: number;
}

/**
 * Posts JSON with an Idempotency-Key, retrying on connection errors and 5xx with the same key and body, the way a
 * browser resubmits; resolves with the final answer, or null when the budget ran out.
 */
async function postWithRetries(
  url: string,
  body: unknown,
  stats: LoadStats,
  budgetMs: number,
): Promise<{ status: number; json: Record<string, unknown>; replayed: boolean } | null> {
  const key = randomUUID();
  const deadline = Date.now() + budgetMs;
  let pause = 250;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      if (response.status < 500) {
        return { status: response.status, json: (await response.json()) as Record<string, unknown>, replayed: response.headers.get('idempotent-replayed') === 'true' };
      }
      await response.body?.cancel();
    } catch {
      // connection refused or reset (intake was killed), or a timeout: try again with the same key
    }
    if (Date.now() + pause > deadline) return null;
    stats.retries += 1;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 3_000);
  }
}

function consentsFor(random: SeededRandom): Consents {
  const email = random.chance(0.85);
  return { email, sms: email ? random.chance(0.6) : true };
}

export function peerBody(index: number, random: SeededRandom, capacity: number, consents: Consents) {
  return {
    firstName: `Peer${index}`,
    contact: { email: `peer-${index}@faults.example.org`, phone: `+1 201 555 ${String(1000 + index).padStart(4, '0')}` },
    preferredChannel: consents.email ? 'email' : 'sms',
    locale: random.pick(['en', 'es']),
    timeZone: 'America/Chicago',
    languages: ['en', 'es'],
    ageBand: random.pick(['25_34', '35_44', '45_54']),
    gender: random.pick(['woman', 'man']),
    topics: [...TOPICS],
    meetingModes: ['phone', 'video'],
    availability: EVENINGS,
    recoveryStartedOn: '2012-03-01',
    capacity,
    certified: true,
    consents: { contactByEmail: consents.email, contactBySms: consents.sms, shareFirstName: true, shareTopics: true, noticeVersion: NOTICE_VERSION },
  };
}

export function newcomerBody(index: number, random: SeededRandom, imminent: boolean, consents: Consents) {
  const topics = [random.pick(TOPICS)];
  const more = random.pick(TOPICS);
  if (!topics.includes(more)) topics.push(more);
  return {
    firstName: `Newcomer${index}`,
    contact: { email: `newcomer-${index}@faults.example.org`, phone: `+1 202 555 ${String(1000 + index).padStart(4, '0')}` },
    preferredChannel: consents.email ? 'email' : 'sms',
    locale: random.pick(['en', 'es']),
    timeZone: 'America/Chicago',
    languages: ['en'],
    ageBand: random.pick(['18_24', '25_34', '35_44']),
    gender: random.pick(['woman', 'man', 'nonbinary']),
    genderPreference: { kind: 'none', mustHave: false },
    topics,
    meetingModes: ['video'],
    availability: EVENINGS,
    consents: { contactByEmail: consents.email, contactBySms: consents.sms, shareFirstName: true, shareTopics: true, noticeVersion: NOTICE_VERSION },
    screener: imminent
      ? { wishToBeDead: true, suicidalThoughts: true, thoughtsWithMethod: true, intentToAct: true, suicidalBehavior: false }
      : { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false },
  };
}

/** Enrolls the peer population before the faults begin (capacity 1 or 2 each). */
export async function enrollPeers(intakeUrl: string, count: number, random: SeededRandom, stats: LoadStats): Promise<EnrolledPeer[]> {
  const peers: EnrolledPeer[] = [];
  const concurrency = 8;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      const capacity = random.int(1, 2);
      const consents = consentsFor(random);
      const answer = await postWithRetries(`${intakeUrl}/v1/peers`, peerBody(index, random, capacity, consents), stats, 60_000);
      if (answer === null || answer.status !== 201) {
        throw new Error(`enrolling peer ${index} failed: ${answer === null ? 'no answer' : `${answer.status} ${JSON.stringify(answer.json)}`}`);
      }
      peers.push({ peerId: String(answer.json['id']), capacity, consents });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return peers;
}

export interface IntakeStream {
  readonly stats: LoadStats;
  readonly accepted: AcceptedNewcomer[];
  /** Stops submitting and resolves once every request in flight has its final answer. */
  stop(): Promise<void>;
}

/**
 * A steady stream of newcomer intakes at `perSecond`, each sent on its own (a slow answer never delays the next), a
 * share of them at imminent risk. Records every accepted id with what intake said about its risk.
 */
export function startIntakeStream(options: { intakeUrl: string; perSecond: number; imminentShare: number; random: SeededRandom; retryBudgetMs: number }): IntakeStream {
  const stats: LoadStats = { submitted: 0, accepted: 0, retries: 0, replayed: 0, abandoned: 0 };
  const accepted: AcceptedNewcomer[] = [];
  const inFlight = new Set<Promise<void>>();
  let index = 0;
  const submitOne = async (): Promise<void> => {
    const i = index;
    index += 1;
    const imminent = options.random.chance(options.imminentShare);
    const consents = consentsFor(options.random);
    stats.submitted += 1;
    const answer = await postWithRetries(`${options.intakeUrl}/v1/intakes`, newcomerBody(i, options.random, imminent, consents), stats, options.retryBudgetMs);
    if (answer === null) {
      stats.abandoned += 1;
      return;
    }
    if (answer.status !== 201 && answer.status !== 202) throw new Error(`intake refused newcomer ${i}: ${answer.status} ${JSON.stringify(answer.json)}`);
    if (answer.replayed) stats.replayed += 1;
    stats.accepted += 1;
    accepted.push({ newcomerId: String(answer.json['id']), imminent: answer.json['riskLevel'] === 'imminent', consents });
  };
  const errors: unknown[] = [];
  const timer = setInterval(() => {
    const request = submitOne().catch((error: unknown) => {
      errors.push(error);
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }, 1000 / options.perSecond);
  return {
    stats,
    accepted,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
    },
  };
}
