import express from 'express';
import type { Router } from 'express';
import { BadRequestError } from '../support/bad-request.error.js';
import { asRecord, oneOf, positiveInteger, requiredString } from '../support/input.js';
import type { MailFaultCode, MailStore } from './mail.store.js';

const FAULT_CODES: readonly MailFaultCode[] = [550, 451];

/** The sandbox's control API for mail: read captured messages back, arm SMTP faults. */
export function mailRoutes(store: MailStore): Router {
  const router = express.Router();

  router.get('/api/mail', (req, res) => {
    const to = req.query['to'];
    if (to !== undefined && typeof to !== 'string') throw new BadRequestError('SANDBOX.INVALID_QUERY', '"to" must be a single address.');
    res.json({ messages: store.list({ to }) });
  });

  // Registered before /api/mail/:id so that "faults" is not read as an id.
  router.get('/api/mail/faults', (_req, res) => {
    res.json({ faults: store.faults() });
  });

  router.get('/api/mail/fault-window', (_req, res) => {
    res.json({ window: store.faultWindow() ?? null, refusals: store.windowRefusals() });
  });

  router.post('/api/mail/fault-window', (req, res) => {
    const body = asRecord(req.body);
    const code = oneOf(body, 'code', FAULT_CODES);
    const seconds = positiveInteger(body, 'seconds', 0);
    res.status(201).json({ window: store.setFaultWindow(code, seconds) });
  });

  router.get('/api/mail/:id', (req, res) => {
    const mail = store.get(req.params.id);
    if (mail === undefined) {
      res.status(404).json({ code: 'SANDBOX.NOT_FOUND', message: `No mail with id ${req.params.id}.` });
      return;
    }
    res.json(mail);
  });

  router.delete('/api/mail', (_req, res) => {
    store.clear();
    res.status(204).end();
  });

  router.post('/api/mail/faults', (req, res) => {
    const body = asRecord(req.body);
    const to = requiredString(body, 'to');
    if (!/^[^\s@]+@[^\s@]+$/.test(to)) throw new BadRequestError('SANDBOX.INVALID_FIELD', '"to" must be an email address.');
    const code = oneOf(body, 'code', FAULT_CODES);
    const times = positiveInteger(body, 'times', 1);
    store.setFault(to, code, times);
    res.status(201).json({ faults: store.faults() });
  });

  router.delete('/api/mail/faults', (_req, res) => {
    store.clearFaults();
    res.status(204).end();
  });

  return router;
}
