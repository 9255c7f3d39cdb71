import { z } from 'zod';
import { env } from '@kindred/platform';
import { ERASURES_TOPIC, NEWCOMERS_TOPIC, PEERS_TOPIC } from '@kindred/contracts';
import { defaultCrisisResources, type CrisisResources } from './domain/crisis-resources.js';

const crisisLine = z.strictObject({
  name: z.string().min(1),
  call: z.string().min(1).optional(),
  text: z.string().min(1).optional(),
  chatUrl: z.url().optional(),
});
const crisisTable = z.record(
  z.string().regex(/^[A-Z]{2}$/),
  z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/), emergencyNumber: z.string().min(1), lines: z.array(crisisLine).min(1) }),
);

const topicName = (fallback: string) => z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, { message: 'must be a Kafka topic name' }).default(fallback);

export const intakeConfigSchema = z
  .object({
    INTAKE_HTTP_PORT: env.port(8081),
    INTAKE_GRPC_PORT: env.port(9081),
    INTAKE_GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
    INTAKE_DB_NAME: z.string().min(1).default('kindred_intake'),
    KAFKA_BROKERS: env.brokers(),
    LOG_LEVEL: env.logLevel(),
    /** Wraps every subject's data key (AES-256-GCM). */
    INTAKE_MASTER_KEY: env.key256(),
    /** HMAC key of the blind index of phone numbers and emails; must differ from the master key. */
    INTAKE_BLIND_INDEX_KEY: env.key256(),
    /** Bearer token the notifier presents to ContactDirectory. */
    INTAKE_DIRECTORY_TOKEN: env.secret(24),
    /** Bearer token of PrivacyAdmin (erasure); must differ from the directory token. */
    INTAKE_ADMIN_TOKEN: env.secret(24),
    /** Privacy notice versions a form may cite, current first. */
    INTAKE_NOTICE_VERSIONS: z
      .string()
      .default('2026-01')
      .transform((value) => value.split(',').map((v) => v.trim()).filter((v) => v.length > 0))
      .refine((list) => list.length > 0, { message: 'must list at least one notice version' }),
    INTAKE_PHONE_COUNTRY: z.string().regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code such as US' }).default('US'),
    INTAKE_CRISIS_COUNTRY: z.string().regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code such as US' }).default('US'),
    /** Extra or replacement crisis resources per country, as JSON: {"NZ": {"country":"NZ","emergencyNumber":"111","lines":[...]}}. */
    INTAKE_CRISIS_RESOURCES_JSON: z
      .string()
      .optional()
      .transform((value, ctx): Record<string, CrisisResources> => {
        if (value === undefined || value === '') return { ...defaultCrisisResources };
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON' });
          return z.NEVER;
        }
        const result = crisisTable.safeParse(parsed);
        if (!result.success) {
          ctx.addIssue({ code: 'custom', message: `is not a crisis resource table: ${result.error.issues[0]?.message ?? 'invalid'}` });
          return z.NEVER;
        }
        return { ...defaultCrisisResources, ...(result.data as Record<string, CrisisResources>) };
      }),
    INTAKE_NEWCOMERS_TOPIC: topicName(NEWCOMERS_TOPIC),
    INTAKE_PEERS_TOPIC: topicName(PEERS_TOPIC),
    INTAKE_ERASURES_TOPIC: topicName(ERASURES_TOPIC),
    /** Accepted submissions per client address and minute on the public endpoints. */
    INTAKE_RATE_LIMIT_PER_MINUTE: env.positiveInt(30),
    INTAKE_TRUST_PROXY: env.trustProxy(),
    INTAKE_RELAY_POLL_MS: env.positiveInt(500),
    INTAKE_RELAY_LEASE_MS: env.positiveInt(30_000),
  })
  .superRefine((config, ctx) => {
    if (config.INTAKE_MASTER_KEY.equals(config.INTAKE_BLIND_INDEX_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['INTAKE_BLIND_INDEX_KEY'], message: 'must differ from INTAKE_MASTER_KEY' });
    }
    if (config.INTAKE_ADMIN_TOKEN === config.INTAKE_DIRECTORY_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['INTAKE_ADMIN_TOKEN'], message: 'must differ from INTAKE_DIRECTORY_TOKEN' });
    }
    if (!config.INTAKE_CRISIS_RESOURCES_JSON[config.INTAKE_CRISIS_COUNTRY]) {
      ctx.addIssue({ code: 'custom', path: ['INTAKE_CRISIS_COUNTRY'], message: 'has no crisis resources: add them with INTAKE_CRISIS_RESOURCES_JSON' });
    }
  });

export type IntakeConfig = Readonly<z.output<typeof intakeConfigSchema>>;
