import { Binary } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createLogger, type OutgoingRecord, type RecordPublisher } from '@kindred/platform';
import { createOutboxRelay } from '../../src/outbox/outbox.relay.js';
import type { OutboxClaim, OutboxHint, OutboxStore } from '../../src/outbox/outbox.store.js';
import type { OutboxEntry } from '../../src/data-access/subject.documents.js';

const entry = (aggregateId: string, seq: number): OutboxEntry => ({
  eventId: `${aggregateId}-${seq}`,
  seq,
  type: 't',
  topic: 'topic',
  key: aggregateId,
  value: new Binary(Buffer.from(`${aggregateId}-${seq}`)),
  headers: { 'kindred-event-id': `${aggregateId}-${seq}` },
});

/** An in-memory store with the same contract as the MongoDB one. */
function memoryStore(docs: Record<string, OutboxEntry[]>) {
  const sent: Record<string, number> = {};
  const leased = new Set<string>();
  const released: string[] = [];
  const claimOf = (id: string): OutboxClaim | undefined => {
    const pending = (docs[id] ?? []).filter((e) => e.seq > (sent[id] ?? 0));
    if (pending.length === 0 || leased.has(id)) return undefined;
    leased.add(id);
    return { collection: 'c', aggregateId: id, events: pending };
  };
  const store: OutboxStore = {
    claimNext: () => {
      for (const id of Object.keys(docs)) {
        const claim = claimOf(id);
        if (claim) return Promise.resolve(claim);
      }
      return Promise.resolve(undefined);
    },
    claimHinted: (hint: OutboxHint) => Promise.resolve(claimOf(hint.aggregateId)),
    markSent: (claim, lastSeq) => {
      sent[claim.aggregateId] = lastSeq;
      leased.delete(claim.aggregateId);
      return Promise.resolve();
    },
    release: (claim) => {
      released.push(claim.aggregateId);
      leased.delete(claim.aggregateId);
      return Promise.resolve();
    },
  };
  return { store, sent, released };
}

function recordingPublisher(failFirst = 0) {
  const batches: OutgoingRecord[][] = [];
  let failures = failFirst;
  const publisher: RecordPublisher = {
    publish: (records) => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('broker unavailable'));
      }
      batches.push([...records]);
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  };
  return { publisher, batches };
}

const log = createLogger({ service: 'test', level: 'silent' });

describe('outbox relay', () => {
  it('publishes every pending event once, each aggregate in sequence order, then marks it', async () => {
    const { store, sent } = memoryStore({ a: [entry('a', 1), entry('a', 2)], b: [entry('b', 1)] });
    const { publisher, batches } = recordingPublisher();
    const relay = createOutboxRelay({ store, publisher, log, pollMs: 10, leaseMs: 1000 });
    expect(await relay.drain()).toBe(3);
    const keys = batches.flat().map((r) => r.headers['kindred-event-id']);
    expect(keys.filter((k) => k?.startsWith('a-'))).toEqual(['a-1', 'a-2']);
    expect(keys).toHaveLength(3);
    expect(sent).toEqual({ a: 2, b: 1 });
    expect(await relay.drain()).toBe(0);
  });

  it('releases its claims and marks nothing when publishing fails, then succeeds on the next pass', async () => {
    const { store, sent, released } = memoryStore({ a: [entry('a', 1)] });
    const { publisher, batches } = recordingPublisher(1);
    const relay = createOutboxRelay({ store, publisher, log, pollMs: 10, leaseMs: 1000 });
    await expect(relay.drain()).rejects.toThrow('broker unavailable');
    expect(released).toEqual(['a']);
    expect(sent).toEqual({});
    expect(await relay.drain()).toBe(1);
    expect(batches).toHaveLength(1);
  });

  it('publishes in the background after a nudge, and drains on stop', async () => {
    const docs: Record<string, OutboxEntry[]> = {};
    const { store, sent } = memoryStore(docs);
    const { publisher } = recordingPublisher();
    const relay = createOutboxRelay({ store, publisher, log, pollMs: 60_000, leaseMs: 1000 });
    relay.start();
    docs['n'] = [entry('n', 1)];
    relay.nudge({ collection: 'c', aggregateId: 'n' });
    await expect.poll(() => sent['n']).toBe(1);
    docs['m'] = [entry('m', 1)];
    await relay.stop();
    expect(sent['m']).toBe(1);
  });
});
