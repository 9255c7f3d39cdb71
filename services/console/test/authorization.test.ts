import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, signedIn, startHarness, users, type Harness } from './support/console.harness.js';
import type { Role, RouteSpec } from '@kindred/console';

let h: Harness;
let coordinator: Browserless;
let admin: Browserless;

beforeAll(async () => {
  h = await startHarness();
  coordinator = await signedIn(h.url, users.coordinator.username);
  admin = await signedIn(h.url, users.admin.username);
});
afterAll(async () => {
  await h.stop();
});

/** A concrete URL for a route pattern, with ids that exist in the scripted world. */
function concrete(route: RouteSpec): string {
  // After-introduction actions target the introduced match, where a leaked call would really change something.
  const followUp = route.path.endsWith('/active') || route.path.endsWith('/close');
  const id = route.path.startsWith('/peers') ? 'peer-a' : route.path.startsWith('/admin') ? h.ids.coordinator : followUp ? 'm-appr' : 'm-old';
  return route.path.replace(':id', id);
}

/** A plausible form for each action, so that only the missing permission can be the reason for refusal. */
function formFor(route: RouteSpec): Record<string, string | string[]> {
  if (route.path.endsWith('/decline')) return { version: '1', reason: 'DECLINE_REASON_LOGISTICS' };
  if (route.path.endsWith('/approve') || route.path.endsWith('/active')) return { version: '1' };
  if (route.path.endsWith('/close')) return { version: '1', reason: 'CLOSE_REASON_COMPLETED' };
  if (route.path.endsWith('/reassign')) return { version: '1', peer: 'peer-c', reason: 'schedule_fit' };
  if (route.path.endsWith('/pause')) return { until: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10), reason: 'vacation' };
  if (route.path === '/admin/accounts') return { username: 'sneaky', password: 'a long enough password', roles: ['admin'] };
  return {};
}

function withoutRole(role: Role): Browserless | undefined {
  // The accounts that lack `role`: an admin-only account lacks coordinator, a coordinator-only one lacks admin.
  return role === 'coordinator' ? admin : coordinator;
}

describe('every page and action', () => {
  it('covers the whole console (this list is what the tests below walk)', () => {
    const paths = h.console.routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /queue',
        'GET /matches/:id',
        'POST /matches/:id/approve',
        'POST /matches/:id/decline',
        'POST /matches/:id/reassign',
        'POST /matches/:id/active',
        'POST /matches/:id/close',
        'GET /peers',
        'POST /peers/:id/pause',
        'POST /peers/:id/resume',
        'GET /follow-up',
        'GET /insights',
        'GET /admin/accounts',
        'POST /admin/accounts',
        'POST /admin/accounts/:id/disable',
        'POST /admin/accounts/:id/enable',
        'POST /logout',
      ]),
    );
  });

  it('refuses an anonymous visitor: pages send them to sign in, actions are refused and change nothing', async () => {
    const anonymous = new Browserless(h.url);
    await anonymous.get('/login');
    const before = h.matching.mutations().length;
    for (const route of h.console.routes) {
      const url = concrete(route);
      if (route.method === 'GET') {
        const response = await anonymous.get(url);
        expect(response.status, url).toBe(303);
        expect(response.location, url).toMatch(/^\/login\?/);
      } else {
        const response = await anonymous.post(url, { ...formFor(route), _csrf: 'forged' });
        expect(response.status, url).toBe(401);
      }
    }
    expect(h.matching.mutations().length).toBe(before);
    expect(await h.redis.exists(`${h.config.CONSOLE_REDIS_PREFIX}account-by-username:sneaky`)).toBe(0);
  });

  it('refuses a signed-in user without the role, with a valid CSRF token, and changes nothing', async () => {
    const before = h.matching.mutations().length;
    let checked = 0;
    for (const route of h.console.routes) {
      if (route.roles.includes('coordinator') && route.roles.includes('admin')) continue;
      const lacking = route.roles.includes('coordinator') ? 'coordinator' : 'admin';
      const client = withoutRole(lacking);
      if (!client) continue;
      const url = concrete(route);
      if (route.method === 'GET') {
        const response = await client.get(url);
        expect(response.status, `${route.method} ${url}`).toBe(403);
        expect(response.body).toContain('does not have the role');
      } else {
        const token = await client.csrfFrom(client === admin ? '/admin/accounts' : '/queue');
        const response = await client.post(url, { ...formFor(route), _csrf: token });
        expect(response.status, `${route.method} ${url}`).toBe(403);
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
    expect(h.matching.mutations().length).toBe(before);
    expect((await coordinator.get('/queue')).status).toBe(200);
    expect(await h.redis.exists(`${h.config.CONSOLE_REDIS_PREFIX}account-by-username:sneaky`)).toBe(0);
  });

  it('refuses every action posted without a valid CSRF token, and changes nothing', async () => {
    const both = await signedIn(h.url, users.both.username);
    const other = await signedIn(h.url, users.coordinator.username);
    const foreign = await other.csrfFrom('/queue');
    const before = h.matching.mutations().length;
    for (const route of h.console.routes.filter((r) => r.method === 'POST')) {
      const url = concrete(route);
      for (const token of [undefined, '', 'forged-token', foreign]) {
        const form = token === undefined ? formFor(route) : { ...formFor(route), _csrf: token };
        const response = await both.post(url, form);
        expect(response.status, `${url} with token ${String(token)}`).toBe(403);
        expect(response.body).toContain('Nothing was changed');
      }
    }
    expect(h.matching.mutations().length).toBe(before);
    expect(await h.redis.exists(`${h.config.CONSOLE_REDIS_PREFIX}account-by-username:sneaky`)).toBe(0);
    expect(await h.redis.hget(`${h.config.CONSOLE_REDIS_PREFIX}account:${h.ids.coordinator}`, 'disabled')).toBeNull();
    // The session survived the refused sign-out attempts.
    expect((await both.get('/queue')).status).toBe(200);
  });

  it('lets an account with both roles use both sides', async () => {
    const both = await signedIn(h.url, users.both.username);
    expect((await both.get('/queue')).status).toBe(200);
    expect((await both.get('/admin/accounts')).status).toBe(200);
  });

  it('shows each role only the navigation it may use', async () => {
    const page = await admin.get('/admin/accounts');
    expect(page.body).not.toContain('href="/queue"');
    expect(page.body).toContain('href="/insights"');
    const queue = await coordinator.get('/queue');
    expect(queue.body).not.toContain('href="/admin/accounts"');
  });
});
