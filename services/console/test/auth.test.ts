import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kindred/testkit';
import { Browserless, csrfOf, password, startHarness, users, type Harness } from './support/console.harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ CONSOLE_SESSION_IDLE_MINUTES: '20' });
});
afterAll(async () => {
  await h.stop();
});

const consoleDir = fileURLToPath(new URL('..', import.meta.url));

function runCli(env: Record<string, string>, stdin: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/create-admin.ts', ...args], {
      cwd: consoleDir,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('signing in', () => {
  it('a coordinator with the right password lands on the queue, with a session cookie that scripts cannot read', async () => {
    const client = new Browserless(h.url);
    const response = await client.signIn(users.coordinator.username);
    expect(response.status).toBe(303);
    expect(response.location).toBe('/queue');
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('kc_sid='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const queue = await client.get('/queue');
    expect(queue.status).toBe(200);
    expect(queue.body).toContain('Signed in as cora');
  });

  it('a wrong password is refused with the same message as an unknown user, and no session', async () => {
    const wrong = new Browserless(h.url);
    const a = await wrong.signIn(users.admin.username, 'not the password at all');
    const unknown = new Browserless(h.url);
    const b = await unknown.signIn('nobody-here', 'not the password at all');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    const message = (body: string) => /<p class="error-summary" role="alert">([^<]+)</.exec(body)?.[1];
    expect(message(a.body)).toBeDefined();
    expect(message(a.body)).toBe(message(b.body));
    expect(wrong.cookies.has('kc_sid')).toBe(false);
    expect((await wrong.get('/queue')).status).toBe(303);
  });

  it('the sign-in form itself needs its CSRF token', async () => {
    const client = new Browserless(h.url);
    await client.get('/login');
    const response = await client.post('/login', { username: users.coordinator.username, password });
    expect(response.status).toBe(403);
    expect(client.cookies.has('kc_sid')).toBe(false);
  });

  it('a token from another visitor does not sign anyone in', async () => {
    const other = new Browserless(h.url);
    const token = await other.csrfFrom('/login');
    const client = new Browserless(h.url);
    await client.get('/login');
    const response = await client.post('/login', { _csrf: token, username: users.coordinator.username, password });
    expect(response.status).toBe(403);
  });

  it('only sends the visitor back to a path on the console after sign-in', async () => {
    const client = new Browserless(h.url);
    const page = await client.get('/login?next=//evil.example/x');
    const response = await client.post('/login', { _csrf: csrfOf(page.body), next: '//evil.example/x', username: users.coordinator.username, password });
    expect(response.location).toBe('/queue');
    const again = new Browserless(h.url);
    const token = await again.csrfFrom('/login');
    const back = await again.post('/login', { _csrf: token, next: '/peers', username: users.coordinator.username, password });
    expect(back.location).toBe('/peers');
  });
});

describe('lockout', () => {
  it('five failures lock the account for a while: even the right password is refused, other accounts are not affected', async () => {
    const victim = 'locky';
    await h.console.accounts.create({ username: victim, password, roles: ['coordinator'] });
    const attacker = new Browserless(h.url);
    for (let i = 0; i < h.config.CONSOLE_LOCKOUT_MAX_FAILURES; i += 1) {
      expect((await attacker.signIn(victim, `wrong password ${i}`)).status).toBe(401);
    }
    const owner = new Browserless(h.url);
    const refused = await owner.signIn(victim, password);
    expect(refused.status).toBe(401);
    expect(owner.cookies.has('kc_sid')).toBe(false);

    const ttl = await h.redis.pttl(`${h.config.CONSOLE_REDIS_PREFIX}login-locked:${victim}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(h.config.CONSOLE_LOCKOUT_MINUTES * 60_000);

    expect((await new Browserless(h.url).signIn(users.both.username)).status).toBe(303);

    // When the lock lapses, the right password works again.
    await h.redis.del(`${h.config.CONSOLE_REDIS_PREFIX}login-locked:${victim}`);
    expect((await new Browserless(h.url).signIn(victim, password)).status).toBe(303);
  });

  it('a success clears earlier failures', async () => {
    const name = 'resetty';
    await h.console.accounts.create({ username: name, password, roles: ['coordinator'] });
    const client = new Browserless(h.url);
    for (let i = 0; i < h.config.CONSOLE_LOCKOUT_MAX_FAILURES - 1; i += 1) await client.signIn(name, 'wrong wrong wrong');
    expect((await client.signIn(name)).status).toBe(303);
    const later = new Browserless(h.url);
    await later.signIn(name, 'wrong wrong wrong');
    expect((await new Browserless(h.url).signIn(name)).status).toBe(303);
  });
});

describe('sessions', () => {
  it('signing out ends the session on the server: the old cookie no longer opens anything', async () => {
    const client = new Browserless(h.url);
    await client.signIn(users.coordinator.username);
    const stolen = client.cookies.get('kc_sid') ?? '';
    const token = await client.csrfFrom('/queue');
    const out = await client.post('/logout', { _csrf: token });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/login?signed_out=1');
    const replay = new Browserless(h.url);
    replay.cookies.set('kc_sid', stolen);
    const response = await replay.get('/queue');
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/^\/login/);
  });

  it('a session idles out after the configured minutes and the visitor is asked to sign in again', async () => {
    const client = new Browserless(h.url);
    await client.signIn(users.coordinator.username);
    const keys = await h.redis.keys(`${h.config.CONSOLE_REDIS_PREFIX}session:*`);
    const ttls = await Promise.all(keys.map((k) => h.redis.pttl(k)));
    expect(ttls.every((t) => t > 0 && t <= 20 * 60_000)).toBe(true);

    // Simulate the idle period passing: let Redis expire every session of this console now.
    await Promise.all(keys.map((k) => h.redis.pexpire(k, 1)));
    await waitFor(async () => (await h.redis.exists(...keys)) === 0, { description: 'sessions to expire' });
    const response = await client.get('/queue');
    expect(response.status).toBe(303);
    const login = await client.get(response.location ?? '/login');
    expect(login.body).toContain('Your session ended');
  });
});

describe('session lifetime', () => {
  it('ends a session past its maximum age even while it is in use', async () => {
    const client = new Browserless(h.url);
    await client.signIn(users.both.username);
    expect((await client.get('/queue')).status).toBe(200);
    const keys = await h.redis.keys(`${h.config.CONSOLE_REDIS_PREFIX}session:*`);
    const mine = [];
    for (const key of keys) if ((await h.redis.hget(key, 'accountId')) === h.ids.both) mine.push(key);
    expect(mine.length).toBeGreaterThan(0);
    const longAgo = Date.now() - h.config.CONSOLE_SESSION_MAX_HOURS * 3_600_000 - 60_000;
    for (const key of mine) await h.redis.hset(key, 'createdAt', String(longAgo));
    const response = await client.get('/queue');
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/^\/login\?expired=1/);
  });
});

describe('security headers', () => {
  it('every page forbids scripts, framing and caching', async () => {
    const response = await new Browserless(h.url).get('/login');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).not.toMatch(/<script/i);
    expect(response.body).not.toMatch(/ style="/i);
  });
});

describe('accounts', () => {
  it('an admin creates a coordinator account, who can then sign in', async () => {
    const admin = new Browserless(h.url);
    await admin.signIn(users.admin.username);
    const token = await admin.csrfFrom('/admin/accounts');
    const created = await admin.post('/admin/accounts', { _csrf: token, username: 'newbie', password: 'a long enough password', roles: ['coordinator'] });
    expect(created.status).toBe(303);
    const list = await admin.get('/admin/accounts');
    expect(list.body).toContain('newbie');
    expect((await new Browserless(h.url).signIn('newbie', 'a long enough password')).location).toBe('/queue');
  });

  it('a short password or a taken username is refused with a specific message and creates nothing', async () => {
    const admin = new Browserless(h.url);
    await admin.signIn(users.admin.username);
    const token = await admin.csrfFrom('/admin/accounts');
    const short = await admin.post('/admin/accounts', { _csrf: token, username: 'shorty', password: 'short', roles: ['coordinator'] });
    expect(short.status).toBe(400);
    expect(short.body).toContain('12 to 256 characters');
    expect(await h.redis.exists(`${h.config.CONSOLE_REDIS_PREFIX}account-by-username:shorty`)).toBe(0);
    const taken = await admin.post('/admin/accounts', { _csrf: token, username: users.coordinator.username, password: 'a long enough password', roles: ['admin'] });
    expect(taken.status).toBe(400);
    expect(taken.body).toContain('already taken');
    const noRole = await admin.post('/admin/accounts', { _csrf: token, username: 'norole', password: 'a long enough password' });
    expect(noRole.status).toBe(400);
  });

  it('stores only an argon2id hash of the password', async () => {
    const id = h.ids.coordinator;
    const stored = await h.redis.hget(`${h.config.CONSOLE_REDIS_PREFIX}account:${id}`, 'passwordHash');
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain(password);
  });
});

describe('disabling an account', () => {
  it('ends its sessions at once and refuses sign-in until an admin enables it again', async () => {
    const id = (await h.console.accounts.create({ username: 'leaver', password, roles: ['coordinator'] })).id;
    const leaver = new Browserless(h.url);
    await leaver.signIn('leaver');
    expect((await leaver.get('/queue')).status).toBe(200);

    const admin = new Browserless(h.url);
    await admin.signIn(users.admin.username);
    const token = await admin.csrfFrom('/admin/accounts');
    const disabled = await admin.post(`/admin/accounts/${id}/disable`, { _csrf: token });
    expect(disabled.status).toBe(303);
    expect((await leaver.get('/queue')).status).toBe(303);
    expect((await new Browserless(h.url).signIn('leaver')).status).toBe(401);
    expect((await admin.get('/admin/accounts')).body).toContain('Disabled');

    expect((await admin.post(`/admin/accounts/${id}/enable`, { _csrf: token })).status).toBe(303);
    expect((await new Browserless(h.url).signIn('leaver')).status).toBe(303);
  });

  it('an admin cannot disable their own account', async () => {
    const admin = new Browserless(h.url);
    await admin.signIn(users.admin.username);
    const token = await admin.csrfFrom('/admin/accounts');
    const response = await admin.post(`/admin/accounts/${h.ids.admin}/disable`, { _csrf: token });
    expect(response.status).toBe(400);
    expect(response.body).toContain('cannot disable your own account');
    expect((await admin.get('/admin/accounts')).status).toBe(200);
  });
});

describe('create-admin CLI', () => {
  const env = () => ({ REDIS_URL: h.config.REDIS_URL, CONSOLE_REDIS_PREFIX: h.config.CONSOLE_REDIS_PREFIX, KINDRED_ADMIN_USERNAME: 'root-admin' });

  it('creates the first admin from a password on stdin, who can then sign in as admin', async () => {
    const result = await runCli(env(), 'a password from stdin!\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const client = new Browserless(h.url);
    expect((await client.signIn('root-admin', 'a password from stdin!')).location).toBe('/admin/accounts');
  });

  it('refuses a password on the command line', async () => {
    const result = await runCli({ ...env(), KINDRED_ADMIN_USERNAME: 'argv-admin' }, '', ['--password', 'visible-in-ps-output']);
    expect(result.code).toBe(2);
    expect(await h.redis.exists(`${h.config.CONSOLE_REDIS_PREFIX}account-by-username:argv-admin`)).toBe(0);
  });

  it('refuses a weak password from the environment with a clear message', async () => {
    const result = await runCli({ ...env(), KINDRED_ADMIN_USERNAME: 'weak-admin', KINDRED_ADMIN_PASSWORD: 'short' }, '');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('password is too short');
  });
});
