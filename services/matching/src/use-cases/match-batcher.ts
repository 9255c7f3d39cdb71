import type { Logger } from '@kindred/platform';
import type { RoundOutcome } from './matchmaker.js';

export interface MatchBatcher {
  /** Something changed (a newcomer arrived, a slot was freed): run a round once the batch window has passed. */
  nudge(): void;
  /** Runs rounds now until nothing is left to claim; tests and shutdown use it. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Newcomers that arrive close together are solved together: the first nudge opens a window of `windowMs`, and one
 * round takes everyone waiting when it closes. The state lives in the database (status `waiting`), so a restart
 * loses nothing; the periodic tick also retries newcomers that found nobody and repairs interrupted work.
 */
export function startMatchBatcher(deps: {
  windowMs: number;
  tickMs: number;
  runRound: () => Promise<RoundOutcome>;
  sweep: () => Promise<void>;
  log: Logger;
}): MatchBatcher {
  const { log } = deps;
  let windowTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let rerun = false;
  let stopped = false;

  async function rounds(): Promise<void> {
    do {
      rerun = false;
      for (;;) {
        if (stopped) return;
        const outcome = await deps.runRound();
        // A lost race for a slot is retried at once with fresh capacity; otherwise one round per window.
        if (outcome.claimed === 0 || outcome.contended === 0) break;
      }
    } while (rerun && !stopped);
  }

  function start(): Promise<void> {
    if (running !== undefined) {
      rerun = true;
      return running;
    }
    running = rounds()
      .catch((error: unknown) => log.error({ err: error }, 'matching round failed; the next tick retries'))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const tick = setInterval(() => {
    if (stopped) return;
    void deps
      .sweep()
      .catch((error: unknown) => log.error({ err: error }, 'sweep failed'))
      .then(() => start());
  }, deps.tickMs);

  return {
    nudge() {
      if (stopped || windowTimer !== undefined) return;
      windowTimer = setTimeout(() => {
        windowTimer = undefined;
        void start();
      }, deps.windowMs);
    },
    async drain() {
      await start();
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      if (windowTimer !== undefined) clearTimeout(windowTimer);
      await running;
    },
  };
}
