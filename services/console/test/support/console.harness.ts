import { Redis } from 'ioredis';
import { createLogger, loadConfig } from '@kindred/platform';
import { testInfra, uniqueName } from '@kindred/testkit';
import { consoleConfigSchema, startConsole, type ConsoleConfig, type Role, type RunningConsole } from '@kindred/console';
import { startFakeMatching, type FakeMatching } from './fake-matching.server.js';

export const password = 'correct horse battery staple';

export const users = {
  coordinator: { username: 'cora', roles: ['coordinator'] as Role[] },
  admin: { username: 'adam', roles: ['admin'] as Role[] },
  both: { username: 'bea', roles: ['coordinator', 'admin'] as Role[] },
} as const;

export interface Harness {
  readonly url: string;
  readonly console: RunningConsole;
  readonly matching: FakeMatching;
  readonly redis: Redis;
  readonly config: ConsoleConfig;
  /** Ids of the seeded accounts, by key of `users`. */
  readonly ids: Record<keyof typeof users, string>;
  stop(): Promise<void>;
}

/** A console on port 0 with its own Redis prefix, talking to a real in-process gRPC matching server. */
export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const infra = testInfra();
  const matching = await startFakeMatching();
  const config = loadConfig('console', consoleConfigSchema, {
    CONSOLE_HTTP_PORT: '0',
    REDIS_URL: infra.redisUrl,
    CONSOLE_REDIS_PREFIX: `${uniqueName('console')}:`,
    MATCHING_GRPC_ADDR: matching.address,
    MATCHING_SERVICE_TOKEN: matching.token,
    CONSOLE_SESSION_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
    CONSOLE_COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const app = await startConsole({ config, log: createLogger({ service: 'console', level: 'silent' }) });
  const redis = new Redis(infra.redisUrl);
  const ids = {} as Record<keyof typeof users, string>;
  for (const [key, user] of Object.entries(users) as [keyof typeof users, (typeof users)[keyof typeof users]][]) {
    ids[key] = (await app.accounts.create({ username: user.username, password, roles: user.roles })).id;
  }
  return {
    url: app.url,
    console: app,
    matching,
    redis,
    config,
    ids,
    async stop() {
      await app.stop();
      await matching.stop();
      redis.disconnect();
    },
  };
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | null;
}

/** A cookie-keeping HTTP client that does not follow redirects, so that tests see each answer. */
export class Browserless {
  readonly cookies = new Map<string, string>();

  /** `headers` go with every request (a proxy's X-Forwarded-For, say). */
  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  private async send(method: string, path: string, form?: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const body = form
      ? new URLSearchParams(Object.entries(form).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]))).toString()
      : undefined;
    const response = await fetch(new URL(path, this.base), {
      method,
      redirect: 'manual',
      headers: {
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...this.headers,
        ...headers,
      },
      ...(body ? { body } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, headers: response.headers, body: await response.text(), location: response.headers.get('location') };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.send('GET', path, undefined, headers);
  }

  post(path: string, form: Record<string, string | string[]>): Promise<HttpResponse> {
    return this.send('POST', path, form);
  }

  /** The CSRF token from a page that has a form. */
  async csrfFrom(path: string): Promise<string> {
    const page = await this.get(path);
    return csrfOf(page.body);
  }

  async signIn(username: string, secret = password): Promise<HttpResponse> {
    const token = await this.csrfFrom('/login');
    return this.post('/login', { _csrf: token, username, password: secret });
  }
}

export function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

export async function signedIn(url: string, username: string): Promise<Browserless> {
  const client = new Browserless(url);
  const response = await client.signIn(username);
  if (response.status !== 303) throw new Error(`sign-in as ${username} answered ${response.status}`);
  return client;
}
