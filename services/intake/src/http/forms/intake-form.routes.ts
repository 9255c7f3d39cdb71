import { randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isAppError, type Logger } from '@kindred/platform';
import type { z } from 'zod';
import type { CrisisResources } from '../../domain/crisis-resources.js';
import type { NewcomerIntake, PeerEnrollment } from '../../domain/intake.schemas.js';
import { inspectTree } from '../../domain/safe-json.js';
import { validate, type FieldError } from '../../domain/validation.js';
import type { Locale } from '../../domain/vocabulary.js';
import type { EnrollPeer } from '../../use-cases/enroll-peer.js';
import type { RegisterNewcomer } from '../../use-cases/register-newcomer.js';
import { traceOf } from '../request-context.js';
import { requestLog } from '../request-log.js';
import { crisisPanel, page } from './form-kit.js';
import { one, parseFormBody, type FormValues } from './form-values.js';
import { html, type SafeHtml } from './html.js';
import { messages } from './i18n.js';
import { formFieldOf, newcomerPayloadFromForm, renderNewcomerForm } from './newcomer-form.js';
import { peerPayloadFromForm, renderPeerForm } from './peer-form.js';
import { localeOf } from './i18n.js';

export interface IntakeFormDeps {
  readonly schemas: { readonly newcomer: z.ZodType<NewcomerIntake>; readonly peerEnrollment: z.ZodType<PeerEnrollment> };
  readonly registerNewcomer: RegisterNewcomer;
  readonly enrollPeer: EnrollPeer;
  readonly crisisResources: (region: string | undefined) => CrisisResources;
  readonly rateLimit: RequestHandler;
  readonly bodyLimitBytes: number;
  readonly noticeVersion: string;
  readonly log: Logger;
}

const formKeyPattern = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The server-rendered forms: work without JavaScript, post to the same use cases as the JSON API through the same
 * schemas, show errors next to each field and in a summary, and keep what was typed. A hidden per-form key makes
 * a double submit idempotent.
 */
export function intakeFormRoutes(deps: IntakeFormDeps): Router {
  const router = express.Router();
  const formBody: RequestHandler[] = [
    (req, res, next) => {
      if (!req.is('application/x-www-form-urlencoded')) {
        res.status(415).type('text/plain').send('Send the form as application/x-www-form-urlencoded');
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: deps.bodyLimitBytes, inflate: false }),
  ];

  const send = (res: Response, status: number, locale: Locale, title: string, body: SafeHtml, path: string) => {
    res.status(status).setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(page(locale, title, body, { en: `${path}?lang=en`, es: `${path}?lang=es` }));
  };

  const withFormKey = (values: FormValues): FormValues => {
    const key = one(values, 'formKey');
    if (key !== undefined && formKeyPattern.test(key)) return values;
    const copy = new Map(values);
    copy.set('formKey', [randomBytes(16).toString('base64url')]);
    return copy;
  };

  /** Parses the submitted form into a payload; on failure returns the errors keyed by form field names. */
  const readForm = (req: Request, toPayload: (values: FormValues, locale: Locale) => { payload: Record<string, unknown>; dayOfWindow: number[] }) => {
    const raw: unknown = req.body;
    const parsed = parseFormBody(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0));
    if (!parsed.ok) {
      const locale = localeOf(req);
      return { locale, values: new Map() as FormValues, errors: [{ field: parsed.field === '' ? 'firstName' : parsed.field, code: 'invalid_utf8', message: 'The text contains characters we cannot read' }] };
    }
    const locale = localeOf(req, one(parsed.values, 'lang'));
    const { payload, dayOfWindow } = toPayload(parsed.values, locale);
    const structural = inspectTree(payload);
    return { locale, values: parsed.values, payload, dayOfWindow, errors: structural };
  };

  const toFormErrors = (errors: readonly FieldError[], dayOfWindow: readonly number[]) => errors.map((e) => ({ ...e, field: formFieldOf(e.field, dayOfWindow) }));

  router.get('/', (req, res) => {
    res.redirect(303, `/intake${req.query['lang'] === 'es' ? '?lang=es' : ''}`);
  });

  router.get('/intake', (req, res) => {
    const locale = localeOf(req);
    const values = withFormKey(new Map());
    send(res, 200, locale, messages[locale].title, renderNewcomerForm({ locale, values, errors: [], noticeVersion: deps.noticeVersion, formKey: one(values, 'formKey') ?? '' }), '/intake');
  });

  router.post('/intake', deps.rateLimit, ...formBody, async (req, res) => {
    const form = readForm(req, (values, locale) => newcomerPayloadFromForm(values, locale, deps.noticeVersion));
    const values = withFormKey(form.values);
    const reshow = (errors: readonly FieldError[]) =>
      send(res, 422, form.locale, messages[form.locale].title, renderNewcomerForm({ locale: form.locale, values, errors, noticeVersion: deps.noticeVersion, formKey: one(values, 'formKey') ?? '' }), '/intake');
    if (form.errors.length > 0 || form.payload === undefined) return reshow(form.errors);
    const input = validate(deps.schemas.newcomer, form.payload);
    if (!input.ok) return reshow(toFormErrors(input.errors, form.dayOfWindow));
    try {
      const registration = await deps.registerNewcomer(input.value, { idempotencyKey: `form:${one(values, 'formKey') ?? ''}`, trace: traceOf(req) });
      const t = messages[form.locale];
      const body = html`${registration.screening.showCrisisResources ? crisisPanel(form.locale, deps.crisisResources(registration.region), registration.screening.urgent) : html``}
<h1>${t.thanksTitle}</h1>
<p>${t.thanksBody}</p>`;
      send(res, 200, form.locale, t.thanksTitle, body, '/intake');
    } catch (error) {
      if (isAppError(error) && error.code === 'INTAKE.IDEMPOTENCY_KEY_REUSED') {
        const fresh = withFormKey(new Map([...values].filter(([k]) => k !== 'formKey')));
        return send(res, 422, form.locale, messages[form.locale].title, renderNewcomerForm({ locale: form.locale, values: fresh, errors: [], noticeVersion: deps.noticeVersion, formKey: one(fresh, 'formKey') ?? '' }), '/intake');
      }
      requestLog(res, deps.log).error({ err: error }, 'intake form failed');
      res.status(503).type('text/plain').send('Temporarily unavailable; please try again.');
    }
  });

  router.get('/peers/enroll', (req, res) => {
    const locale = localeOf(req);
    const values = withFormKey(new Map());
    send(res, 200, locale, messages[locale].peerTitle, renderPeerForm({ locale, values, errors: [], noticeVersion: deps.noticeVersion, formKey: one(values, 'formKey') ?? '' }), '/peers/enroll');
  });

  router.post('/peers/enroll', deps.rateLimit, ...formBody, async (req, res) => {
    const form = readForm(req, (values, locale) => peerPayloadFromForm(values, locale, deps.noticeVersion));
    const values = withFormKey(form.values);
    const reshow = (errors: readonly FieldError[]) =>
      send(res, 422, form.locale, messages[form.locale].peerTitle, renderPeerForm({ locale: form.locale, values, errors, noticeVersion: deps.noticeVersion, formKey: one(values, 'formKey') ?? '' }), '/peers/enroll');
    if (form.errors.length > 0 || form.payload === undefined) return reshow(form.errors);
    const input = validate(deps.schemas.peerEnrollment, form.payload);
    if (!input.ok) return reshow(toFormErrors(input.errors, form.dayOfWindow));
    try {
      const result = await deps.enrollPeer(input.value, { idempotencyKey: `form:${one(values, 'formKey') ?? ''}`, trace: traceOf(req) });
      const t = messages[form.locale];
      send(res, 200, form.locale, t.peerThanksTitle, html`<h1>${t.peerThanksTitle}</h1><p>${t.peerThanksBody}</p>${result.editToken === undefined ? html`` : html`<p><code>${result.editToken}</code></p>`}`, '/peers/enroll');
    } catch (error) {
      requestLog(res, deps.log).error({ err: error }, 'peer form failed');
      res.status(503).type('text/plain').send('Temporarily unavailable; please try again.');
    }
  });

  return router;
}
