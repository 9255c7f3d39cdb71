import { errorCode, type Logger } from '@kindred/platform';
import type { DeliverySweeper } from '../use-cases/sweep-deliveries.js';

export interface DeliverySweepTimer {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Runs a sweep every `intervalMs`, never two at once in this process (other instances may sweep meanwhile). */
export function startDeliverySweepTimer(deps: { sweeper: DeliverySweeper; intervalMs: number; log: Logger }): DeliverySweepTimer {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> | undefined;

  const tick = () => {
    running = deps.sweeper
      .sweepOnce()
      .then((summary) => {
        if (summary.requeued + summary.failed + summary.errors > 0) deps.log.info(summary, 'delivery sweep');
      })
      .catch((error: unknown) => deps.log.warn({ code: errorCode(error) }, 'delivery sweep failed; will retry'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, deps.intervalMs);
      });
  };
  timer = setTimeout(tick, deps.intervalMs);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
