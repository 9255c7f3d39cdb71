import { errorCode, type Logger, type RecordPublisher } from '@kindred/platform';
import type { DeliveryLedger } from '../data-access/delivery-ledger.repository.js';

export interface OutboxRelay {
  /** Publishes everything pending now; resolves with how many events went out. */
  flush(): Promise<number>;
  /** Stops polling after a last flush. */
  stop(): Promise<void>;
}

/**
 * Publishes the events waiting in ledger documents (acks=all), then clears them. A crash between the two
 * re-publishes on the next round: consumers dedupe on the event id; nothing is lost.
 */
export function startOutboxRelay(deps: { ledger: DeliveryLedger; publisher: RecordPublisher; pollMs: number; log: Logger }): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<number> | undefined;

  const flushOnce = async (): Promise<number> => {
    let published = 0;
    for (;;) {
      const pending = await deps.ledger.pendingOutbox(100);
      if (pending.length === 0) return published;
      // One acknowledged batch per round; each document is cleared only if nothing was added since it was read.
      await deps.publisher.publish(
        pending.flatMap((delivery) =>
          delivery.outbox.map((entry) => ({ topic: entry.topic, key: entry.key, value: Buffer.from(entry.value, 'base64'), headers: entry.headers })),
        ),
      );
      for (const delivery of pending) {
        published += delivery.outbox.length;
        await deps.ledger.clearOutbox(delivery._id, delivery.outboxVersion);
      }
    }
  };
  const flush = (): Promise<number> => {
    running ??= flushOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    flush()
      .catch((error: unknown) => deps.log.warn({ code: errorCode(error) }, 'outbox relay round failed; will retry'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, deps.pollMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    flush,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => 0);
      await flush().catch((error: unknown) => deps.log.warn({ code: errorCode(error) }, 'final outbox flush failed; events stay pending'));
    },
  };
}
