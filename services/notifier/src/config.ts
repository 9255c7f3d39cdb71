import { z } from 'zod';
import { env } from '@kindred/platform';

export const notifierConfigSchema = z.object({
  NOTIFIER_HTTP_PORT: env.port(8083),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  NOTIFIER_DB_NAME: z.string().min(1).default('kindred_notifier'),
  KAFKA_BROKERS: env.brokers(),
  REDIS_URL: env.url(['redis', 'rediss']),
  SMTP_URL: env.url(['smtp', 'smtps']),
  LOG_LEVEL: env.logLevel(),
});

export type NotifierConfig = Readonly<z.output<typeof notifierConfigSchema>>;
