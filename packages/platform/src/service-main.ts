import type { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createShutdown, exitOnSignals, type Shutdown } from './shutdown.js';

export interface ServiceContext<C> {
  readonly config: C;
  readonly log: Logger;
  readonly shutdown: Shutdown;
}

/**
 * The shared shape of every service's main.ts: validate the environment (a bad variable stops the process with a
 * message naming it, not a driver's stack trace), build a logger, start, and stop gracefully on SIGTERM/SIGINT.
 * Everything else — adapters, use cases, servers — is composed by hand in the service's own `start`.
 */
export async function runServiceMain<S extends z.ZodObject>(options: {
  readonly service: string;
  readonly schema: S;
  readonly logLevel?: (config: Readonly<z.output<S>>) => string;
  readonly start: (context: ServiceContext<Readonly<z.output<S>>>) => Promise<void>;
}): Promise<void> {
  let config: Readonly<z.output<S>>;
  try {
    config = loadConfig(options.service, options.schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = createLogger({ service: options.service, level: options.logLevel?.(config) ?? 'info' });
  const shutdown = createShutdown(log);
  exitOnSignals(shutdown, log);
  try {
    await options.start({ config, log, shutdown });
  } catch (error) {
    log.fatal({ err: error }, 'failed to start');
    await shutdown.run('start failed');
    process.exit(1);
  }
}
