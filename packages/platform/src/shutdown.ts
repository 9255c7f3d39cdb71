import type { Logger } from './logger.js';

export interface ShutdownStep {
  readonly name: string;
  readonly run: () => Promise<void>;
}

export interface Shutdown {
  /** Steps run in reverse order of registration: the last thing started is the first stopped. */
  add(step: ShutdownStep): void;
  /** Runs every step once, even when one fails; resolves when all are done or the deadline passed. */
  run(reason: string): Promise<void>;
  readonly stopping: boolean;
}

export function createShutdown(log: Logger, deadlineMs = 25_000): Shutdown {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | undefined;
  return {
    add(step) {
      steps.push(step);
    },
    get stopping() {
      return running !== undefined;
    },
    run(reason) {
      running ??= (async () => {
        log.info({ reason }, 'shutting down');
        const all = (async () => {
          for (const step of [...steps].reverse()) {
            try {
              await step.run();
              log.debug({ step: step.name }, 'stopped');
            } catch (error) {
              log.error({ step: step.name, err: error }, 'shutdown step failed');
            }
          }
        })();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            log.error({ deadlineMs }, 'shutdown deadline passed; exiting anyway');
            resolve();
          }, deadlineMs);
          timer.unref();
        });
        await Promise.race([all, deadline]);
        if (timer) clearTimeout(timer);
      })();
      return running;
    },
  };
}

/** Wires SIGTERM/SIGINT to the shutdown and exits when it is done. For a service's main.ts only. */
export function exitOnSignals(shutdown: Shutdown, log: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    void shutdown.run(signal).then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
