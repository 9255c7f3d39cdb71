import { z } from 'zod';
import { env } from '@kindred/platform';

export const matchingConfigSchema = z.object({
  MATCHING_HTTP_PORT: env.port(8082),
  MATCHING_GRPC_PORT: env.port(50051),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  MATCHING_DB_NAME: z.string().min(1).default('kindred_matching'),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type MatchingConfig = Readonly<z.output<typeof matchingConfigSchema>>;
