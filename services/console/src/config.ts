import { z } from 'zod';
import { env } from '@kindred/platform';

export const consoleConfigSchema = z.object({
  CONSOLE_HTTP_PORT: env.port(8080),
  REDIS_URL: env.url(['redis', 'rediss']),
  MATCHING_GRPC_ADDR: z
    .string({ message: 'is required but not set (host:port of the matching service)' })
    .regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port' })
    .default('127.0.0.1:50051'),
  LOG_LEVEL: env.logLevel(),
});

export type ConsoleConfig = Readonly<z.output<typeof consoleConfigSchema>>;
