/**
 * Loads the demo population through the intake service's public JSON API, exactly as people would (so it is
 * screened, encrypted and flows through Kafka to matching), a few requests at a time, with progress.
 *
 * A second start posts nothing: what is already loaded is read from the intake database (the stored
 * Idempotency-Keys), which also survives a deleted cache and notices a wiped database. Reading the services'
 * databases is the launcher's privilege as the operator's tool; no service reads another's.
 */
import { connectMongo, createLogger } from '@kindred/platform';
import type { DemoPerson } from './population.js';
import { createProgress } from './progress.js';

export interface SeedOptions {
  readonly intakeUrl: string;
  readonly mongoUrl: string;
  readonly intakeDbName: string;
  readonly matchingDbName: string;
  readonly peers: readonly DemoPerson[];
  readonly newcomers: readonly DemoPerson[];
  /** A finished line of output (the caller prefixes it). */
  readonly say: (line: string) => void;
  /** Raw output for progress lines. */
  readonly write: (text: string) => void;
  readonly tty: boolean;
  readonly concurrency?: number;
  /** How long to wait for matching to read the peers, and to propose for the newcomers, before going on. */
  readonly matchingTimeoutMs?: number;
}

export interface SeedSummary {
  readonly alreadyLoaded: boolean;
  readonly peersPosted: number;
  readonly newcomersPosted: number;
  /** Demo peers in matching's read model. */
  readonly peersInMatching: number;
  readonly newcomers: { readonly proposed: number; readonly urgent: number; readonly waiting: number };
}

/** The driver's database handle, typed through platform's mongoose (deploy/ has no mongodb dependency of its own). */
type Db = NonNullable<Awaited<ReturnType<typeof connectMongo>>['db']>;

const storedKey = (key: string) => `k:${key}`;

/** POST one person; a 429 or 503 waits and tries again (the intake says when), anything else ≥ 400 fails the load. */
async function post(url: string, person: DemoPerson): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': person.idempotencyKey },
      body: JSON.stringify(person.body),
    });
    if ((response.status === 429 || response.status === 503) && attempt < 6) {
      await response.arrayBuffer();
      const seconds = Number(response.headers.get('retry-after') ?? '');
      await new Promise((resolve) => setTimeout(resolve, Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : attempt * 1000));
      continue;
    }
    const text = await response.text();
    if (response.status >= 400) {
      throw new Error(`demo data: POST ${new URL(url).pathname} (${person.idempotencyKey}) answered ${response.status}: ${text}`);
    }
    return (JSON.parse(text) as { id: string }).id;
  }
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Ids of the people (by Idempotency-Key) the intake already stored in `collection`. */
async function storedIds(db: Db, collection: 'peers' | 'newcomers', people: readonly DemoPerson[]): Promise<Map<string, string>> {
  const docs = await db
    .collection<{ _id: string; idempotencyKey: string }>(collection)
    .find({ idempotencyKey: { $in: people.map((p) => storedKey(p.idempotencyKey)) } }, { projection: { _id: 1, idempotencyKey: 1 } })
    .toArray();
  return new Map(docs.map((doc) => [doc.idempotencyKey.slice(2), doc._id]));
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function seedDemoPopulation(options: SeedOptions): Promise<SeedSummary> {
  const { say, write, tty } = options;
  const concurrency = options.concurrency ?? 8;
  const timeoutMs = options.matchingTimeoutMs ?? 180_000;
  const log = createLogger({ service: 'kindred-up', level: 'silent' });
  const intakeConnection = await connectMongo({ url: options.mongoUrl, dbName: options.intakeDbName, log });
  const matchingConnection = await connectMongo({ url: options.mongoUrl, dbName: options.matchingDbName, log });
  try {
    const intakeDb: Db | undefined = intakeConnection.db;
    const matchingDb: Db | undefined = matchingConnection.db;
    if (intakeDb === undefined || matchingDb === undefined) throw new Error('demo data: no database handle after connecting');

    const peerIds = await storedIds(intakeDb, 'peers', options.peers);
    const newcomerIds = await storedIds(intakeDb, 'newcomers', options.newcomers);
    const missingPeers = options.peers.filter((p) => !peerIds.has(p.idempotencyKey));
    const missingNewcomers = options.newcomers.filter((n) => !newcomerIds.has(n.idempotencyKey));
    const alreadyLoaded = missingPeers.length === 0 && missingNewcomers.length === 0;

    if (missingPeers.length > 0) {
      const already = options.peers.length - missingPeers.length;
      if (already > 0) say(`demo data: ${already} of ${options.peers.length} peers were already loaded; adding the other ${missingPeers.length}`);
      const progress = createProgress({ total: options.peers.length, write, tty, label: (done, total) => `demo data: ${done}/${total} peers` });
      let done = already;
      progress.update(done);
      await eachLimited(missingPeers, concurrency, async (peer) => {
        peerIds.set(peer.idempotencyKey, await post(`${options.intakeUrl}/v1/peers`, peer));
        done += 1;
        progress.update(done);
      });
      progress.finish(`demo data: ${done}/${options.peers.length} peers entered through the intake API`);
    }

    // Newcomers are solved against the whole population, so they wait until matching has read every demo peer. When
    // nothing was posted, a shortfall is a lagging or reset read model: waiting long would not help.
    const ids = [...peerIds.values()];
    const peers = matchingDb.collection<{ _id: string }>('peers');
    const peersRead = () => peers.countDocuments({ _id: { $in: ids }, profiled: true });
    let peersInMatching = await peersRead();
    if (peersInMatching < ids.length) {
      const progress = createProgress({ total: ids.length, write, tty, label: (done, total) => `demo data: matching has read ${done}/${total} peers` });
      const complete = await pollUntil(async () => {
        peersInMatching = await peersRead();
        progress.update(peersInMatching);
        return peersInMatching >= ids.length;
      }, alreadyLoaded ? Math.min(timeoutMs, 30_000) : timeoutMs);
      progress.finish(complete ? undefined : `demo data: matching has read ${peersInMatching}/${ids.length} peers so far; going on (it catches up in the background)`);
    }

    if (missingNewcomers.length > 0) {
      await eachLimited(missingNewcomers, concurrency, async (newcomer) => {
        newcomerIds.set(newcomer.idempotencyKey, await post(`${options.intakeUrl}/v1/intakes`, newcomer));
      });
      say(`demo data: ${missingNewcomers.length} newcomers entered through the intake API; waiting for matching to propose peers`);
    }

    // Wait (bounded) until matching has placed every newcomer: proposed, matched, urgent, or tried without a match.
    const newcomers = matchingDb.collection<{ _id: string; status: string; lastAttemptAt: Date | null }>('newcomers');
    const wanted = [...newcomerIds.values()];
    let counts = { proposed: 0, urgent: 0, waiting: wanted.length };
    const settled = await pollUntil(async () => {
      const docs = await newcomers.find({ _id: { $in: wanted } }, { projection: { status: 1, lastAttemptAt: 1 } }).toArray();
      const placed = docs.filter((d) => d.status !== 'waiting' && d.status !== 'claimed');
      counts = {
        proposed: docs.filter((d) => d.status === 'proposed' || d.status === 'matched').length,
        urgent: docs.filter((d) => d.status === 'urgent').length,
        waiting: wanted.length - placed.length,
      };
      const tried = docs.filter((d) => d.status === 'waiting' && d.lastAttemptAt !== null).length;
      return docs.length === wanted.length && placed.length + tried === wanted.length;
    }, alreadyLoaded ? 0 : timeoutMs);
    if (!settled && !alreadyLoaded) say('demo data: matching has not placed every newcomer yet; the console shows them as it does');

    return { alreadyLoaded, peersPosted: missingPeers.length, newcomersPosted: missingNewcomers.length, peersInMatching, newcomers: counts };
  } finally {
    await intakeConnection.close();
    await matchingConnection.close();
  }
}
