import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { env } from '@kindred/platform';
import { tokenMapSchema } from './grpc/grpc-auth.js';

const jsonOf = <T extends z.ZodType>(schema: T, example: string) =>
  z.string().transform((value, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
      return z.NEVER;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') });
      return z.NEVER;
    }
    return result.data;
  });

export const matchingConfigSchema = z.object({
  MATCHING_HTTP_PORT: env.port(8082),
  MATCHING_GRPC_PORT: env.port(50051),
  MATCHING_GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  MATCHING_DB_NAME: z.string().min(1).default('kindred_matching'),
  KAFKA_BROKERS: env.brokers(),
  /** Prefix of every topic this service reads and writes (`<ns>.kindred.intake.newcomers.v1`); empty in production. */
  MATCHING_TOPIC_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, { message: 'must be letters, digits, _, . or -' })
    .default(''),
  /** Consumer group; its dead-letter topic is `<group>.dlq`. */
  MATCHING_GROUP_ID: z.string().min(1).default('kindred-matching'),
  /** Newcomers arriving within this window are solved together. */
  MATCHING_BATCH_WINDOW_MS: env.positiveInt(2_000),
  MATCHING_BATCH_MAX: env.positiveInt(2_000),
  /** Retries newcomers that found nobody and repairs interrupted work. */
  MATCHING_TICK_MS: env.positiveInt(15_000),
  MATCHING_CLAIM_LEASE_MS: env.positiveInt(30_000),
  MATCHING_OUTBOX_INTERVAL_MS: env.positiveInt(500),
  MATCHING_PARTITIONS_CONCURRENCY: env.positiveInt(1),
  /** Names this process's claims on newcomers; defaults to host, pid and a random suffix. */
  MATCHING_INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`),
  /** Bearer tokens of the console: {"<token>": {"actor": "co_1", "role": "coordinator"}}; roles viewer, coordinator, admin. */
  MATCHING_COORDINATOR_TOKENS: jsonOf(tokenMapSchema, '{"<token of 16+ chars>": {"actor": "co_1", "role": "coordinator"}}').default({}),
  LOG_LEVEL: env.logLevel(),
});

export type MatchingConfig = Readonly<z.output<typeof matchingConfigSchema>>;
