import { randomBytes } from 'node:crypto';
import { errorCode, errorMessage, type Logger, type RecordPublisher } from '@kindred/platform';
import type { OutboxClaim, OutboxHint, OutboxStore } from './outbox.store.js';

export interface OutboxRelayConfig {
  readonly store: OutboxStore;
  readonly publisher: RecordPublisher;
  readonly log: Logger;
  /** How often to look for pending events when nobody nudged. */
  readonly pollMs: number;
  /** How long a claimed document stays reserved; a crashed relay's documents are picked up after this. */
  readonly leaseMs: number;
  /** Documents published per Kafka request (default 100). */
  readonly batchSize?: number;
  readonly onPublished?: (count: number) => void;
}

export interface OutboxRelay {
  start(): void;
  /**
   * Wakes the relay now (called after a write) instead of at the next poll. With a hint the relay claims that
   * document by id first; the search for pending documents remains the safety net (a crashed relay's work).
   */
  nudge(hint?: OutboxHint): void;
  /** Publishes until nothing is pending; for shutdown and tests. */
  drain(): Promise<number>;
  /** Stops polling after the pass in flight and one final drain. */
  stop(): Promise<void>;
}

/**
 * Publishes each document's pending events in order (acks=all) and then marks them sent. A crash between the two
 * leaves them pending: they are published again with the same event ids (at-least-once; consumers dedupe on the
 * event id), never lost.
 */
export function createOutboxRelay(config: OutboxRelayConfig): OutboxRelay {
  const owner = `relay-${randomBytes(6).toString('hex')}`;
  const log = config.log.child({ component: 'outbox-relay', owner });
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let nudged = false;
  let pass: Promise<number> = Promise.resolve(0);

  const batchSize = config.batchSize ?? 100;
  const hints = new Map<string, OutboxHint>();
  const maxHints = 10_000;

  /** Claims up to `batchSize` documents, publishes all their events in one acknowledged batch, then marks each. */
  const drainOnce = async (): Promise<number> => {
    let published = 0;
    for (;;) {
      const claims: OutboxClaim[] = [];
      const hinted = [...hints].slice(0, batchSize);
      for (const [key] of hinted) hints.delete(key);
      // Claims by id are independent single-document operations: run them together.
      for (const claim of await Promise.all(hinted.map(([, hint]) => config.store.claimHinted(hint, owner, config.leaseMs)))) {
        if (!claim) continue;
        if (claim.events.length === 0) await config.store.release(claim);
        else claims.push(claim);
      }
      while (claims.length < batchSize) {
        const claim = await config.store.claimNext(owner, config.leaseMs);
        if (!claim) break;
        if (claim.events.length === 0) await config.store.release(claim);
        else claims.push(claim);
      }
      if (claims.length === 0) return published;
      try {
        // Each document's events stay in stream order within the batch; one request in flight keeps them in order.
        await config.publisher.publish(
          claims.flatMap((claim) => claim.events.map((e) => ({ topic: e.topic, key: e.key, value: Buffer.from(e.value.buffer), headers: e.headers }))),
        );
      } catch (error) {
        await Promise.all(claims.map((claim) => config.store.release(claim).catch(() => undefined)));
        throw error;
      }
      // Documents are independent: marking them concurrently keeps each one's order and saves round trips.
      await Promise.all(
        claims.map(async (claim) => {
          await config.store.markSent(claim, claim.events[claim.events.length - 1]?.seq ?? 0);
          published += claim.events.length;
          config.onPublished?.(claim.events.length);
        }),
      );
    }
  };

  // Passes never overlap: a drain() from a test or shutdown waits for the loop's pass and vice versa.
  const runPass = (): Promise<number> => {
    pass = pass.catch(() => 0).then(drainOnce);
    return pass;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    start() {
      if (running) return;
      running = true;
      let failures = 0;
      loop = (async () => {
        while (running) {
          nudged = false;
          try {
            await runPass();
            failures = 0;
          } catch (error) {
            failures += 1;
            log.warn({ code: errorCode(error), reason: errorMessage(error), failures }, 'outbox pass failed; will retry');
          }
          if (!running) break;
          if (!nudged) await sleep(failures > 0 ? Math.min(config.pollMs * 2 ** failures, 30_000) : config.pollMs);
        }
      })();
    },
    nudge(hint) {
      if (hint && hints.size < maxHints) hints.set(`${hint.collection}/${hint.aggregateId}`, hint);
      nudged = true;
      wake?.();
    },
    drain: runPass,
    async stop() {
      running = false;
      wake?.();
      await loop;
      await runPass().catch((error: unknown) => log.warn({ code: errorCode(error), reason: errorMessage(error) }, 'final outbox drain failed'));
    },
  };
}
