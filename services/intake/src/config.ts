import { z } from 'zod';
import { env } from '@kindred/platform';

export const intakeConfigSchema = z.object({
  INTAKE_HTTP_PORT: env.port(8081),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  INTAKE_DB_NAME: z.string().min(1).default('kindred_intake'),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type IntakeConfig = Readonly<z.output<typeof intakeConfigSchema>>;
