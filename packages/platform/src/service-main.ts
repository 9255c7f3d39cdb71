import type { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createShutdown, exitOnSignals, type Shutdown } from './shutdown.js';
import { otlpTracesUrlOf, samplerOf, startTracing, tracingConfigShape, type SamplerName } from './tracing/tracing.setup.js';

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
  let tracingConfig: Readonly<{ OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined; OTEL_BSP_SCHEDULE_DELAY: number; OTEL_TRACES_SAMPLER: SamplerName; OTEL_TRACES_SAMPLER_ARG: number }>;
  try {
    // The tracing variables are validated with the service's own, so one message names every bad variable.
    const merged = loadConfig(options.service, options.schema.extend(tracingConfigShape));
    config = merged as Readonly<z.output<S>>;
    tracingConfig = merged as typeof tracingConfig;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const tracing = startTracing({
    service: options.service,
    otlpTracesUrl: otlpTracesUrlOf(tracingConfig),
    scheduledDelayMs: tracingConfig.OTEL_BSP_SCHEDULE_DELAY,
    sampler: samplerOf(tracingConfig.OTEL_TRACES_SAMPLER, tracingConfig.OTEL_TRACES_SAMPLER_ARG),
  });
  const log = createLogger({ service: options.service, level: options.logLevel?.(config) ?? 'info' });
  const shutdown = createShutdown(log);
  // Registered first, so it runs last: the spans of the shutdown itself are flushed too.
  shutdown.add({ name: 'tracing', run: () => tracing.shutdown() });
  if (tracing.exporting) log.info('exporting traces over OTLP/HTTP');
  exitOnSignals(shutdown, log);
  try {
    await options.start({ config, log, shutdown });
  } catch (error) {
    log.fatal({ err: error }, 'failed to start');
    await shutdown.run('start failed');
    process.exit(1);
  }
}
