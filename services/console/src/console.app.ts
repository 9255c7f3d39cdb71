import { readFile } from 'node:fs/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { createMetricsRegistry, errorCode, isAppError, listen, mountOpsRoutes, traceHttpRequests, type Logger } from '@kindred/platform';
import type { ConsoleConfig } from './config.js';
import { redisAccountRepository, type AccountRepository } from './auth/account.repository.js';
import { accountsService, type Accounts } from './auth/accounts.service.js';
import { hmacCsrf } from './auth/csrf.js';
import { redisLoginThrottle } from './auth/login-throttle.js';
import { argon2Hasher, type PasswordHasher } from './auth/password-hasher.js';
import { redisSessionStore } from './auth/session.store.js';
import { grpcMatchingGateway, type MatchingGateway } from './matching/matching.client.js';
import { registerAuthPages } from './web/auth.pages.js';
import { guardedRouter, refuse, type RouteSpec } from './web/guarded-router.js';
import { pageContext } from './web/page-context.js';
import { registerAccountsPages } from './web/pages/accounts.page.js';
import { registerFollowUpPage } from './web/pages/follow-up.page.js';
import { registerInsightsPage } from './web/pages/insights.page.js';
import { registerMatchPages } from './web/pages/match.page.js';
import { registerPeersPages } from './web/pages/peers.page.js';
import { registerQueuePage } from './web/pages/queue.page.js';
import { consoleContext } from './web/session.middleware.js';

export interface RunningConsole {
  readonly url: string;
  /** Every guarded route, for the authorization tests. */
  readonly routes: readonly RouteSpec[];
  readonly accounts: Accounts;
  stop(): Promise<void>;
}

export interface ConsoleDeps {
  readonly config: ConsoleConfig;
  readonly log: Logger;
  /** Tests may pass a cheaper hasher; production uses argon2id. */
  readonly hasher?: PasswordHasher;
}

const stylesheet = new URL('./assets/console.css', import.meta.url);

/** The auth building blocks, shared by the web app and the create-admin CLI. */
export function consoleAccounts(redis: Redis, config: ConsoleConfig, hasher: PasswordHasher = argon2Hasher()) {
  const prefix = config.CONSOLE_REDIS_PREFIX;
  const repository: AccountRepository = redisAccountRepository(redis, prefix);
  const sessions = redisSessionStore(redis, prefix, {
    idleMs: config.CONSOLE_SESSION_IDLE_MINUTES * 60_000,
    maxAgeMs: config.CONSOLE_SESSION_MAX_HOURS * 3_600_000,
  });
  const throttle = redisLoginThrottle(redis, prefix, {
    maxFailures: config.CONSOLE_LOCKOUT_MAX_FAILURES,
    windowMs: config.CONSOLE_LOCKOUT_WINDOW_MINUTES * 60_000,
    lockMs: config.CONSOLE_LOCKOUT_MINUTES * 60_000,
  });
  // The per-account lockout alone lets one address lock out every coordinator in turn, or try one password
  // against every username; this slows a single address down across usernames.
  const addressThrottle = redisLoginThrottle(redis, `${prefix}address:`, {
    maxFailures: config.CONSOLE_IP_MAX_FAILURES,
    windowMs: config.CONSOLE_LOCKOUT_WINDOW_MINUTES * 60_000,
    lockMs: config.CONSOLE_LOCKOUT_MINUTES * 60_000,
  });
  return { repository, sessions, throttle, addressThrottle, accounts: accountsService({ repository, hasher, throttle, sessions }) };
}

function errorStatus(code: string): number {
  switch (code) {
    case 'CONSOLE.NOT_FOUND':
      return 404;
    case 'CONSOLE.CONFLICT':
      return 409;
    case 'CONSOLE.INVALID_ARGUMENT':
      return 400;
    default:
      return 503;
  }
}

/** Composition root: builds the adapters and the HTTP app; `stop` releases them in reverse order. */
export async function startConsole(deps: ConsoleDeps): Promise<RunningConsole> {
  const { config, log } = deps;
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  // Redis down at start (or later) is an outage, not a reason to exit: the console serves, /readyz says not ready,
  // pages that need Redis answer 503, and ioredis keeps reconnecting. Each outage is logged once, not per retry.
  let redisDown = false;
  redis.on('error', (error: Error & { code?: string }) => {
    if (redisDown) return;
    redisDown = true;
    log.warn({ code: error.code ?? 'REDIS_ERROR' }, 'Redis unavailable; reconnecting, and answering 503 where it is needed');
  });
  redis.on('ready', () => {
    if (redisDown) log.info('Redis available again');
    redisDown = false;
  });
  redis.connect().catch(() => undefined);
  const matching: MatchingGateway = grpcMatchingGateway({
    address: config.MATCHING_GRPC_ADDR,
    token: config.MATCHING_SERVICE_TOKEN,
    deadlineMs: config.MATCHING_DEADLINE_MS,
  });
  const { repository, sessions, accounts, addressThrottle } = consoleAccounts(redis, config, deps.hasher);
  const csrf = hmacCsrf(config.CONSOLE_SESSION_SECRET);
  const cookies = { secure: config.CONSOLE_COOKIE_SECURE };
  const css = await readFile(stylesheet, 'utf8');
  let stopping = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Decides what req.ip is, and so which address the sign-in throttle counts against.
  app.set('trust proxy', config.CONSOLE_TRUST_PROXY);
  app.use(traceHttpRequests());
  mountOpsRoutes(app, {
    registry: createMetricsRegistry('console'),
    readiness: { redis: async () => (await redis.ping()) === 'PONG' },
    isStopping: () => stopping,
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      strictTransportSecurity: config.CONSOLE_COOKIE_SECURE,
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.get('/assets/console.css', (_req, res) => {
    res.type('text/css').set('cache-control', 'public, max-age=3600').send(css);
  });
  app.use((_req, res, next) => {
    // Pages show data about people in care: never cached by the browser or a proxy.
    res.set('cache-control', 'no-store');
    next();
  });
  app.use(consoleContext({ sessions, accounts: repository, csrf, cookies }));
  app.use(express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 50 }));

  const router = guardedRouter(app, csrf);
  registerAuthPages(app, router, { accounts, addressThrottle, sessions, csrf, cookies, log });
  registerQueuePage(router, { matching, waitingThresholdMinutes: config.CONSOLE_WAITING_THRESHOLD_MINUTES });
  registerMatchPages(router, { matching, accounts: repository, log });
  registerPeersPages(router, { matching });
  registerFollowUpPage(router, { matching });
  registerInsightsPage(router, { matching, accounts: repository, waitingThresholdMinutes: config.CONSOLE_WAITING_THRESHOLD_MINUTES });
  registerAccountsPages(router, { accounts, repository });

  app.use((_req: Request, res: Response) => {
    const ctx = pageContext(res);
    refuse(res, ctx, 404, ctx.t('notFoundTitle'), ctx.t('notFoundText'));
  });
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // An ioredis error while Redis is away is an outage (503, try again), not a fault of the console (500).
    const storeDown = !isAppError(error) && redis.status !== 'ready';
    const code = storeDown ? 'CONSOLE.STORE_UNAVAILABLE' : errorCode(error);
    const status = isAppError(error) ? errorStatus(code) : storeDown ? 503 : (error as { status?: unknown }).status === 413 ? 413 : 500;
    (status >= 500 ? log.error.bind(log) : log.warn.bind(log))({ code, method: req.method, path: req.path, status }, 'console request failed');
    const ctx = (res.locals as { page?: unknown }).page ? pageContext(res) : undefined;
    if (!ctx) {
      res.status(status).type('text').send('error');
      return;
    }
    const [title, text] =
      status === 404
        ? [ctx.t('notFoundTitle'), ctx.t('notFoundText')]
        : status === 409
          ? [ctx.t('conflictTitle'), ctx.t('conflictText')]
          : status === 400 || status === 413
            ? [ctx.t('badRequestTitle'), isAppError(error) ? error.message : ctx.t('badRequestTitle')]
            : [ctx.t(storeDown ? 'storeUnavailableTitle' : 'unavailableTitle'), ctx.t('unavailableText')];
    refuse(res, ctx, status, title, text);
  });

  const server = await listen(app, config.CONSOLE_HTTP_PORT);

  return {
    url: server.url,
    routes: router.specs,
    accounts,
    async stop() {
      stopping = true;
      log.info('console stopping');
      await server.close();
      matching.close();
      redis.disconnect();
    },
  };
}
