import type { Express, Request, Response } from 'express';
import type { Role } from '../auth/roles.js';
import type { Csrf } from '../auth/csrf.js';
import { html } from './html.js';
import { layout } from './layout.view.js';
import { pageContext, type PageContext, type SignedInContext } from './page-context.js';

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Any one of these roles may use the route. */
  readonly roles: readonly Role[];
}

export type PageHandler = (req: Request, res: Response, ctx: SignedInContext) => Promise<void>;

export interface GuardedRouter {
  get(path: string, roles: readonly Role[], handler: PageHandler): void;
  post(path: string, roles: readonly Role[], handler: PageHandler): void;
  /** Every guarded route, so that the authorization tests cover each one. */
  readonly specs: readonly RouteSpec[];
}

export function sendPage(res: Response, status: number, body: { toString(): string }): void {
  res.status(status).type('html').send(body.toString());
}

export function refuse(res: Response, ctx: PageContext, status: number, title: string, text: string): void {
  sendPage(res, status, layout(ctx, { title }, html`<p>${text}</p><p><a href="/">${ctx.t('backToQueue')}</a></p>`));
}

function isSignedIn(ctx: PageContext): ctx is SignedInContext {
  return ctx.account !== undefined && ctx.session !== undefined;
}

/**
 * Every page and action goes through here: signed in (else sign-in page), holds one of the roles (else 403),
 * and for POST a valid CSRF token bound to the session (else 403, before the handler can change anything).
 */
export function guardedRouter(app: Express, csrf: Csrf): GuardedRouter {
  const specs: RouteSpec[] = [];

  const wrap = (method: RouteSpec['method'], roles: readonly Role[], handler: PageHandler) => async (req: Request, res: Response) => {
    const ctx = pageContext(res);
    if (!isSignedIn(ctx)) {
      if (method === 'GET') {
        res.redirect(303, `/login?${ctx.sessionExpired ? 'expired=1&' : ''}next=${encodeURIComponent(req.originalUrl)}`);
      } else {
        refuse(res, ctx, 401, ctx.t('signInTitle'), ctx.t('sessionExpired'));
      }
      return;
    }
    if (!roles.some((role) => ctx.account.roles.includes(role))) {
      refuse(res, ctx, 403, ctx.t('forbiddenTitle'), ctx.t('forbiddenText'));
      return;
    }
    if (method === 'POST' && !csrf.verify(ctx.session.key, (req.body as Record<string, unknown> | undefined)?.['_csrf'])) {
      refuse(res, ctx, 403, ctx.t('csrfTitle'), ctx.t('csrfText'));
      return;
    }
    await handler(req, res, ctx);
  };

  return {
    get(path, roles, handler) {
      specs.push({ method: 'GET', path, roles });
      app.get(path, wrap('GET', roles, handler));
    },
    post(path, roles, handler) {
      specs.push({ method: 'POST', path, roles });
      app.post(path, wrap('POST', roles, handler));
    },
    specs,
  };
}
