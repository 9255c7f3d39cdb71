import express from 'express';
import type { Router } from 'express';
import { BadRequestError } from '../support/bad-request.error.js';
import { asRecord, httpUrl, isE164, oneOf, optionalString, positiveInteger, requiredString } from '../support/input.js';
import { DEFAULT_ACCOUNT_SID } from './sms-delivery.js';
import type { SmsDelivery } from './sms-delivery.js';
import type { HeldRequests } from './twilio-messages.routes.js';
import type { DeliveryOutcome, SmsStore } from './sms.store.js';
import { SMS_FAULT_KINDS } from './sms.store.js';

const OUTCOMES: readonly DeliveryOutcome[] = ['delivered', 'undelivered', 'failed'];
const DIRECTIONS = ['outbound-api', 'inbound', 'all'] as const;

function e164(body: Record<string, unknown>, field: string): string {
  const value = requiredString(body, field);
  if (!isE164(value)) throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" must be an E.164 phone number such as +15551234567.`);
  return value;
}

/** The sandbox's own control API for SMS: inspect what was sent, arm faults and outcomes, simulate inbound texts. */
export function smsRoutes(deps: { store: SmsStore; delivery: SmsDelivery; held: HeldRequests }): Router {
  const { store, delivery, held } = deps;
  const router = express.Router();

  router.get('/api/sms', (req, res) => {
    const to = typeof req.query['to'] === 'string' ? req.query['to'] : undefined;
    const rawDirection = req.query['direction'] ?? 'outbound-api';
    const direction = DIRECTIONS.find((candidate) => candidate === rawDirection);
    if (direction === undefined) throw new BadRequestError('SANDBOX.INVALID_QUERY', `"direction" must be one of ${DIRECTIONS.join(', ')}.`);
    res.json({ messages: store.list({ to, direction }) });
  });

  // Registered before /api/sms/:sid so that "faults" and "outcomes" are not read as sids.
  router.get('/api/sms/faults', (_req, res) => {
    res.json({ faults: store.faults(), heldRequests: held.count() });
  });

  router.get('/api/sms/outcomes', (_req, res) => {
    res.json({ outcomes: store.outcomes() });
  });

  router.get('/api/sms/fault-window', (_req, res) => {
    res.json({ window: store.faultWindow() ?? null, refusals: store.windowRefusals() });
  });

  router.post('/api/sms/fault-window', (req, res) => {
    const body = asRecord(req.body);
    const raw = body['kinds'];
    if (!Array.isArray(raw) || raw.length === 0) throw new BadRequestError('SANDBOX.INVALID_FIELD', '"kinds" must be a non-empty array of fault kinds.');
    const kinds = raw.map((kind: unknown) => oneOf({ kinds: kind }, 'kinds', SMS_FAULT_KINDS));
    const seconds = positiveInteger(body, 'seconds', 0);
    res.status(201).json({ window: store.setFaultWindow(kinds, seconds) });
  });

  router.get('/api/sms/:sid', (req, res) => {
    const message = store.get(req.params.sid);
    if (message === undefined) {
      res.status(404).json({ code: 'SANDBOX.NOT_FOUND', message: `No SMS with sid ${req.params.sid}.` });
      return;
    }
    res.json(message);
  });

  router.delete('/api/sms', (_req, res) => {
    store.clear();
    res.status(204).end();
  });

  router.post('/api/sms/faults', (req, res) => {
    const body = asRecord(req.body);
    const to = optionalString(body, 'to');
    if (to !== undefined && !isE164(to)) throw new BadRequestError('SANDBOX.INVALID_FIELD', '"to" must be an E.164 phone number such as +15551234567.');
    const kind = oneOf(body, 'kind', SMS_FAULT_KINDS);
    const times = positiveInteger(body, 'times', 1);
    store.addFault({ to: to ?? null, kind, remaining: times });
    res.status(201).json({ faults: store.faults() });
  });

  router.delete('/api/sms/faults', (_req, res) => {
    store.clearFaults();
    res.status(204).end();
  });

  router.post('/api/sms/outcomes', (req, res) => {
    const body = asRecord(req.body);
    const to = e164(body, 'to');
    const status = oneOf(body, 'status', OUTCOMES);
    const rawErrorCode = body['errorCode'];
    if (rawErrorCode !== undefined && (typeof rawErrorCode !== 'number' || !Number.isInteger(rawErrorCode) || rawErrorCode <= 0)) {
      throw new BadRequestError('SANDBOX.INVALID_FIELD', '"errorCode" must be a positive integer (a Twilio error code such as 30003).');
    }
    if (rawErrorCode !== undefined && status === 'delivered') {
      throw new BadRequestError('SANDBOX.INVALID_FIELD', '"errorCode" makes sense only with status "undelivered" or "failed".');
    }
    store.setOutcome({ to, status, errorCode: rawErrorCode ?? null });
    res.status(201).json({ outcomes: store.outcomes() });
  });

  router.delete('/api/sms/outcomes', (_req, res) => {
    store.clearOutcomes();
    res.status(204).end();
  });

  router.post('/api/sms/inbound', async (req, res) => {
    const body = asRecord(req.body);
    const from = e164(body, 'from');
    const to = e164(body, 'to');
    const text = body['body'];
    if (typeof text !== 'string') throw new BadRequestError('SANDBOX.INVALID_FIELD', '"body" is required and must be a string.');
    const webhookUrl = httpUrl(requiredString(body, 'webhookUrl'), 'webhookUrl');
    const accountSid = optionalString(body, 'accountSid') ?? DEFAULT_ACCOUNT_SID;
    try {
      const { message, response } = await delivery.receive({ accountSid, from, to, body: text, webhookUrl });
      res.json({ messageSid: message.sid, status: response.status, contentType: response.contentType, body: response.body });
    } catch (error) {
      res.status(502).json({ code: 'SANDBOX.WEBHOOK_UNREACHABLE', message: error instanceof Error ? error.message : String(error) });
    }
  });

  return router;
}
