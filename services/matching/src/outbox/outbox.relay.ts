import type { Collection } from 'mongodb';
import type { Logger, RecordPublisher } from '@kindred/platform';
import type { AuditRepository } from '../data-access/audit.repository.js';
import type { OutboxEntry, OutboxFields } from '../data-access/documents.js';

type OutboxDocument = OutboxFields & { _id: string };

export interface OutboxRelay {
  /** Asks for a pass soon (after a write that added outbox entries). */
  nudge(): void;
  /** Runs passes until nothing is pending; used by tests and on shutdown. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Publishes the events that state changes left in their documents (acks=all), copies their audit lines, then removes
 * the entries. A crash after publishing and before removing re-publishes: at least once, never lost; consumers dedupe
 * by event id. A lease per document keeps two instances from publishing one document's events out of order.
 */
export function startOutboxRelay(deps: {
  collections: readonly Collection<OutboxDocument>[];
  audit: AuditRepository;
  publisher: RecordPublisher;
  log: Logger;
  intervalMs: number;
  leaseMs?: number;
}): OutboxRelay {
  const { publisher, audit, log } = deps;
  const leaseMs = deps.leaseMs ?? 15_000;
  const EPOCH = new Date(0);
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function drainOne(collection: Collection<OutboxDocument>): Promise<boolean> {
    const now = new Date();
    const doc = await collection.findOneAndUpdate(
      { outboxPending: true, outboxLeaseUntil: { $lt: now } },
      { $set: { outboxLeaseUntil: new Date(now.getTime() + leaseMs) } },
      { projection: { outbox: 1 }, returnDocument: 'after' },
    );
    if (doc === null) return false;
    const entries: OutboxEntry[] = doc.outbox;
    for (const entry of entries) if (entry.audit !== undefined) await audit.put(entry.audit);
    await publisher.publish(
      entries.flatMap((e) =>
        e.record === undefined ? [] : [{ topic: e.record.topic, key: e.record.key, value: Buffer.from(e.record.value.buffer), headers: e.record.headers }],
      ),
    );
    const ids = entries.map((e) => e.id);
    await collection.updateOne({ _id: doc._id }, { $pull: { outbox: { id: { $in: ids } } } as never, $set: { outboxLeaseUntil: EPOCH } });
    await collection.updateOne({ _id: doc._id, outbox: { $size: 0 } }, { $set: { outboxPending: false } });
    return true;
  }

  async function pass(): Promise<void> {
    do {
      again = false;
      for (const collection of deps.collections) {
        while (!stopped && (await drainOne(collection))) {
          // keep draining this collection
        }
      }
    } while (again && !stopped);
  }

  function run(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = pass()
      .catch((error: unknown) => log.error({ err: error }, 'outbox relay pass failed; will retry'))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => void run(), deps.intervalMs);
  return {
    nudge: () => void run(),
    async flush() {
      await run();
      await run();
    },
    async stop() {
      clearInterval(timer);
      await running;
      stopped = true;
    },
  };
}
