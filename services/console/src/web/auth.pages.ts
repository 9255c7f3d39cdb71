import type { Express, Request, Response } from 'express';
import type { Logger } from '@kindred/platform';
import type { Accounts } from '../auth/accounts.service.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Csrf } from '../auth/csrf.js';
import type { SessionStore } from '../auth/session.store.js';
import { html } from './html.js';
import { layout } from './layout.view.js';
import { field, pageContext, queryParam, type PageContext } from './page-context.js';
import { refuse, sendPage, type GuardedRouter } from './guarded-router.js';
import { baseCookie, cookieNames, parseCookies, type CookieOptions } from './session.middleware.js';

/** Only a path on this console: never an absolute or protocol-relative URL (no open redirect). */
export function safeNext(value: string): string {
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}

function signInPage(ctx: PageContext, next: string, options: { error?: string; notice?: string }) {
  return layout(
    ctx,
    { title: ctx.t('signInTitle'), error: options.error, notice: options.notice },
    html`<form method="post" action="/login" class="stack narrow">
      <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
      <input type="hidden" name="next" value="${next}">
      <div class="field"><label for="username">${ctx.t('username')}</label>
        <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64"></div>
      <div class="field"><label for="password">${ctx.t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"></div>
      <button type="submit">${ctx.t('signInButton')}</button>
    </form>`,
  );
}

export function registerAuthPages(
  app: Express,
  router: GuardedRouter,
  deps: { accounts: Accounts; addressThrottle: LoginThrottle; sessions: SessionStore; csrf: Csrf; cookies: CookieOptions; log: Logger },
): void {
  app.get('/login', (req: Request, res: Response) => {
    const ctx = pageContext(res);
    if (ctx.account) {
      res.redirect(303, safeNext(queryParam(req, 'next')));
      return;
    }
    const notice = queryParam(req, 'signed_out') === '1' ? ctx.t('signedOut') : ctx.sessionExpired || queryParam(req, 'expired') === '1' ? ctx.t('sessionExpired') : undefined;
    sendPage(res, 200, signInPage(ctx, safeNext(queryParam(req, 'next')), notice ? { notice } : {}));
  });

  app.post('/login', async (req: Request, res: Response) => {
    const ctx = pageContext(res);
    const binding = String(res.locals['csrfBinding'] ?? '');
    if (ctx.account || !binding.startsWith('pre:') || !deps.csrf.verify(binding, field(req, '_csrf'))) {
      refuse(res, ctx, 403, ctx.t('csrfTitle'), ctx.t('csrfText'));
      return;
    }
    const next = safeNext(field(req, 'next'));
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (await deps.addressThrottle.isLocked(address)) {
      deps.log.warn({ event: 'sign_in_refused_address' }, 'sign-in refused: too many failures from this address');
      sendPage(res, 429, signInPage(ctx, next, { error: ctx.t('signInAddressLocked') }));
      return;
    }
    const result = await deps.accounts.signIn(field(req, 'username'), field(req, 'password'));
    if (!result.ok) {
      await deps.addressThrottle.recordFailure(address);
      // No username in the log: it may be someone's password typed in the wrong box.
      deps.log.warn({ event: 'sign_in_refused' }, 'sign-in refused');
      sendPage(res, 401, signInPage(ctx, next, { error: ctx.t('signInFailed') }));
      return;
    }
    deps.log.info({ event: 'signed_in', accountId: result.account.id }, 'signed in');
    res.clearCookie(cookieNames.preSession, baseCookie(deps.cookies));
    res.cookie(cookieNames.session, result.token, baseCookie(deps.cookies));
    res.redirect(303, next === '/' ? (result.account.roles.includes('coordinator') ? '/queue' : '/admin/accounts') : next);
  });

  router.post('/logout', ['coordinator', 'admin'], async (req, res, ctx) => {
    deps.log.info({ event: 'signed_out', accountId: ctx.account.id }, 'signed out');
    const token = parseCookies(req.headers.cookie)[cookieNames.session];
    if (token) await deps.sessions.destroy(token);
    res.clearCookie(cookieNames.session, baseCookie(deps.cookies));
    res.redirect(303, '/login?signed_out=1');
  });

  router.get('/', ['coordinator', 'admin'], (_req, res, ctx) => {
    res.redirect(303, ctx.account.roles.includes('coordinator') ? '/queue' : '/admin/accounts');
    return Promise.resolve();
  });
}
