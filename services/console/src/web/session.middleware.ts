import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AccountRepository } from '../auth/account.repository.js';
import type { Csrf } from '../auth/csrf.js';
import type { SessionStore } from '../auth/session.store.js';
import { isLocale, negotiateLocale, type Locale } from './i18n.js';
import { contextFor, setPageContext } from './page-context.js';

export const cookieNames = { session: 'kc_sid', preSession: 'kc_pre', lang: 'kc_lang' } as const;

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    try {
      if (!(name in cookies)) cookies[name] = decodeURIComponent(value);
    } catch {
      // A malformed cookie is ignored like a missing one.
    }
  }
  return cookies;
}

export interface CookieOptions {
  readonly secure: boolean;
}

export function baseCookie(options: CookieOptions) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: options.secure, path: '/' };
}

/** Language, session and CSRF binding for every request, into the page context. */
export function consoleContext(deps: { sessions: SessionStore; accounts: AccountRepository; csrf: Csrf; cookies: CookieOptions }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const cookies = parseCookies(req.headers.cookie);

    const requested = typeof req.query['lang'] === 'string' ? req.query['lang'] : undefined;
    let locale: Locale;
    if (isLocale(requested)) {
      locale = requested;
      res.cookie(cookieNames.lang, locale, { ...baseCookie(deps.cookies), maxAge: 365 * 24 * 3600 * 1000 });
    } else {
      const stored = cookies[cookieNames.lang];
      locale = isLocale(stored) ? stored : negotiateLocale(req.headers['accept-language']);
    }

    const token = cookies[cookieNames.session];
    const session = token ? await deps.sessions.touch(token) : undefined;
    const found = session ? await deps.accounts.findById(session.accountId) : undefined;
    const account = found?.disabled ? undefined : found;
    const signedIn = session !== undefined && account !== undefined;
    if (token && !signedIn) res.clearCookie(cookieNames.session, baseCookie(deps.cookies));

    let binding: string;
    if (signedIn) {
      binding = session.key;
    } else {
      let nonce = cookies[cookieNames.preSession];
      if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
        nonce = randomBytes(16).toString('base64url');
        res.cookie(cookieNames.preSession, nonce, baseCookie(deps.cookies));
        // A POST that arrives with no pre-session cookie must not verify against the one just minted.
        binding = req.method === 'GET' ? `pre:${nonce}` : '';
      } else {
        binding = `pre:${nonce}`;
      }
    }

    setPageContext(
      res,
      contextFor(locale, {
        account: signedIn ? account : undefined,
        session: signedIn ? session : undefined,
        csrfToken: binding ? deps.csrf.tokenFor(binding) : '',
        url: new URL(req.originalUrl, 'http://console.invalid'),
        sessionExpired: token !== undefined && !signedIn,
      }),
    );
    res.locals['csrfBinding'] = binding;
    next();
  };
}
