import { pino, type Logger, type LoggerOptions } from 'pino';
import { activeSpanIds } from './tracing/spans.js';

export type { Logger } from 'pino';

/**
 * Paths that may hold PII anywhere in a log record. Redaction is a safety net: code should not log these at all.
 * Wildcards cover one level of nesting (`*.email`) and the common containers.
 */
const piiKeys = [
  'firstName',
  'first_name',
  'name',
  'lastName',
  'fullName',
  'email',
  'phone',
  'phoneE164',
  'phone_e164',
  'to',
  'from',
  'body',
  'text',
  'html',
  'hopes',
  'notes',
  'freeText',
  'password',
  'authorization',
  'cookie',
  'contact',
];

// `name` is pino's own logger-name field at the top level, so it is redacted only when nested.
export const redactedPaths: readonly string[] = [
  ...piiKeys.filter((key) => key !== 'name'),
  ...piiKeys.map((key) => `*.${key}`),
  ...piiKeys.map((key) => `*.*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'request.body',
];

export interface LoggerConfig {
  readonly service: string;
  readonly level?: LoggerOptions['level'];
  /** Where records go; tests pass a stream to read them back. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.service,
    level: config.level ?? 'info',
    base: { service: config.service },
    redact: { paths: [...redactedPaths], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Read at each call, so every child logger's lines carry the span active at that moment.
    mixin: () => activeSpanIds() ?? {},
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
