import { z } from 'zod';
import { env } from '@kindred/platform';

export const consoleConfigSchema = z.object({
  CONSOLE_HTTP_PORT: env.port(8080),
  REDIS_URL: env.url(['redis', 'rediss']),
  /** Every key the console writes (accounts, sessions, lockouts) starts with this, so one Redis can serve many. */
  CONSOLE_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'must be 1-64 letters, digits or _ : . -' })
    .default('kindred:console:'),
  MATCHING_GRPC_ADDR: z
    .string({ message: 'is required but not set (host:port of the matching service)' })
    .regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port' })
    .default('127.0.0.1:50051'),
  /** This console's credential towards the matching service, sent as `authorization: Bearer <token>`. */
  MATCHING_SERVICE_TOKEN: env.secret(16),
  MATCHING_DEADLINE_MS: env.positiveInt(5000),
  /** Signs the CSRF tokens; rotate it to invalidate every outstanding form. */
  CONSOLE_SESSION_SECRET: env.secret(32),
  CONSOLE_SESSION_IDLE_MINUTES: env.positiveInt(30),
  CONSOLE_SESSION_MAX_HOURS: env.positiveInt(12),
  /** Secure cookies (HTTPS only); browsers also accept them on http://localhost. */
  CONSOLE_COOKIE_SECURE: env.bool(true),
  CONSOLE_LOCKOUT_MAX_FAILURES: env.positiveInt(5),
  /** Failed sign-ins from one address (any usernames) before that address must wait; generous for shared office NAT. */
  CONSOLE_IP_MAX_FAILURES: env.positiveInt(50),
  /**
   * Which proxies in front of the console to believe about the client's address (X-Forwarded-For), as Express's
   * `trust proxy`: `false` (default: the socket's peer is the client), a hop count such as `1` (one ingress), or a
   * comma list of addresses/subnets and the names loopback, linklocal, uniquelocal. Behind an ingress without it,
   * every sign-in seems to come from the ingress, so one person's failures would make everyone wait.
   */
  CONSOLE_TRUST_PROXY: env.trustProxy(),
  CONSOLE_LOCKOUT_WINDOW_MINUTES: env.positiveInt(15),
  CONSOLE_LOCKOUT_MINUTES: env.positiveInt(15),
  /** Proposals waiting longer than this are flagged on the queue and counted on the insight page. */
  CONSOLE_WAITING_THRESHOLD_MINUTES: env.positiveInt(24 * 60),
  LOG_LEVEL: env.logLevel(),
});

export type ConsoleConfig = Readonly<z.output<typeof consoleConfigSchema>>;
