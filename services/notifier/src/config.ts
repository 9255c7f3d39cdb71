import { z } from 'zod';
import { env } from '@kindred/platform';
import { DELIVERIES_TOPIC, MATCHES_TOPIC } from '@kindred/contracts';
import { isValidTimeZone, parseSendingWindow } from './domain/quiet-hours.js';

const optionalUrl = (protocols: readonly string[]) =>
  z.preprocess((value) => (value === '' ? undefined : value), env.url(protocols).optional());

export const notifierConfigSchema = z.object({
  NOTIFIER_HTTP_PORT: env.port(8083),
  /** all: consumer, workers, webhooks and relay in one process; workers: only the delivery workers (scale them apart). */
  NOTIFIER_MODE: z.enum(['all', 'workers'], { message: 'must be all or workers' }).default('all'),
  /** Where Twilio and browsers reach this service (status callbacks are signed over it); defaults to the listening address. */
  NOTIFIER_PUBLIC_URL: optionalUrl(['http', 'https']),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  NOTIFIER_DB_NAME: z.string().min(1).default('kindred_notifier'),
  KAFKA_BROKERS: env.brokers(),
  NOTIFIER_KAFKA_GROUP: z.string().min(1).default('kindred-notifier'),
  NOTIFIER_MATCHES_TOPIC: z.string().min(1).default(MATCHES_TOPIC),
  NOTIFIER_DELIVERIES_TOPIC: z.string().min(1).default(DELIVERIES_TOPIC),
  REDIS_URL: env.url(['redis', 'rediss']),
  /**
   * BullMQ key prefix (no colon needed; BullMQ adds its own separators). On Redis Cluster give it as a hash tag,
   * `{kindred}`, so every key of a queue lands in one slot, as BullMQ's scripts need.
   */
  NOTIFIER_QUEUE_PREFIX: z
    .string()
    .regex(/^(?:[A-Za-z0-9_-]+|\{[A-Za-z0-9_-]+\})$/, { message: 'must be letters, digits, _ or -, optionally as a Redis Cluster hash tag like {kindred}' })
    .default('kindred'),
  /** Intake's gRPC address (ContactDirectory), host:port. */
  INTAKE_GRPC_ADDR: z.string({ message: 'is required but not set (host:port of intake ContactDirectory)' }).regex(/^[^\s:]+:\d{1,5}$/, {
    message: 'must be host:port',
  }),
  /** Sent as `authorization: Bearer …` on every ContactDirectory call. */
  INTAKE_DIRECTORY_TOKEN: z.string().default(''),
  CONTACT_DIRECTORY_DEADLINE_MS: env.positiveInt(5000),
  SMTP_URL: env.url(['smtp', 'smtps']),
  EMAIL_FROM: z.string().min(3).default('Kindred <introductions@kindred.example>'),
  EMAIL_MAX_CONNECTIONS: env.positiveInt(5),
  EMAIL_MAX_PER_SECOND: env.positiveInt(20),
  EMAIL_CONCURRENCY: env.positiveInt(10),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { message: 'must be AC followed by 32 hex characters' }),
  TWILIO_AUTH_TOKEN: env.secret(16),
  /** A sending number (E.164) or a Messaging Service SID. */
  TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, { message: 'must be an E.164 number or a Messaging Service SID (MG…)' }),
  /** Only for the SMS sandbox: Twilio's API is otherwise reached at its own address. */
  TWILIO_API_BASE_URL: optionalUrl(['http', 'https']),
  SMS_MAX_PER_SECOND: env.positiveInt(1),
  SMS_CONCURRENCY: env.positiveInt(5),
  PROVIDER_TIMEOUT_MS: env.positiveInt(15_000),
  /** Allowed sending hours in the recipient's zone. */
  NOTIFIER_SENDING_WINDOW: z
    .string()
    .default('08:00-21:00')
    .transform((value, ctx) => {
      try {
        return parseSendingWindow(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'invalid' });
        return z.NEVER;
      }
    }),
  NOTIFIER_DEFAULT_TIME_ZONE: z.string().default('UTC').refine(isValidTimeZone, { message: 'must be an IANA time zone such as America/New_York' }),
  DELIVERY_ATTEMPTS: env.positiveInt(8),
  RETRY_BASE_MS: env.positiveInt(5_000),
  RETRY_MAX_MS: env.positiveInt(600_000),
  /** A claim outlives the slowest send; a dead worker's deliveries are sent again after it. */
  CLAIM_LEASE_MS: env.positiveInt(60_000),
  JOB_LOCK_MS: env.positiveInt(30_000),
  JOB_STALLED_CHECK_MS: env.positiveInt(30_000),
  OUTBOX_POLL_MS: env.positiveInt(500),
  /** How often (mode all) the sweeper looks for deliveries that are due but not progressing. */
  NOTIFIER_SWEEP_INTERVAL_MS: env.positiveInt(30_000),
  /** A `queued` delivery untouched this long with no runnable job is stuck and gets a new job. */
  NOTIFIER_STUCK_AFTER_MS: env.positiveInt(120_000),
  /** Send attempts (ledger claims, over every job) after which a stuck delivery fails for good. */
  NOTIFIER_MAX_DELIVERY_ATTEMPTS: env.positiveInt(24),
  /** Re-queues by the sweeper after which a stuck delivery fails for good. */
  NOTIFIER_MAX_SWEEPS: env.positiveInt(10),
  NOTIFIER_SWEEP_BATCH: env.positiveInt(200),
  /** Bearer token for /admin/queues until the console proxies it with its own sessions. */
  NOTIFIER_COORDINATOR_TOKEN: env.secret(24),
  LOG_LEVEL: env.logLevel(),
}).superRefine((config, ctx) => {
  // A workers-only process serves no webhooks: Twilio must call back the process that does.
  if (config.NOTIFIER_MODE === 'workers' && config.NOTIFIER_PUBLIC_URL === undefined) {
    ctx.addIssue({ code: 'custom', path: ['NOTIFIER_PUBLIC_URL'], message: 'is required when NOTIFIER_MODE=workers (the URL of the instance that serves the Twilio webhooks)' });
  }
});

export type NotifierConfig = Readonly<z.output<typeof notifierConfigSchema>>;
