import type { Request, Response } from 'express';
import type { Account } from '../auth/account.repository.js';
import type { Session } from '../auth/session.store.js';
import { labels, translator, type Labels, type Locale, type Translate } from './i18n.js';

/** What every page render needs, set up once per request by the console's middleware. */
export interface PageContext {
  readonly locale: Locale;
  readonly t: Translate;
  readonly l: Labels;
  readonly account: Account | undefined;
  readonly session: Session | undefined;
  /** The form token for this visitor (bound to the session, or to the pre-session cookie on the sign-in page). */
  readonly csrfToken: string;
  /** The request's path and query, for the language switch and `aria-current`. */
  readonly url: URL;
  /** A sign-in cookie was sent but its session is gone (idle timeout, sign-out elsewhere). */
  readonly sessionExpired: boolean;
}

export interface SignedInContext extends PageContext {
  readonly account: Account;
  readonly session: Session;
}

export function contextFor(locale: Locale, init: Omit<PageContext, 'locale' | 't' | 'l'>): PageContext {
  return { ...init, locale, t: translator(locale), l: labels(locale) };
}

export function pageContext(res: Response): PageContext {
  const ctx = (res.locals as { page?: PageContext }).page;
  if (!ctx) throw new Error('page context missing: the console middleware did not run');
  return ctx;
}

export function setPageContext(res: Response, ctx: PageContext): void {
  (res.locals as { page?: PageContext }).page = ctx;
}

/** A form field as a string ('' when absent or repeated), so that parsers see one shape. */
export function field(req: Request, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

export function fields(req: Request, name: string): string[] {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function queryParam(req: Request, name: string): string {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
