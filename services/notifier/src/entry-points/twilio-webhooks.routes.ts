import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import twilio from 'twilio';
import { errorCode, type Logger } from '@kindred/platform';
import { handleInboundSms, recordSmsStatus } from '../use-cases/sms-webhooks.js';
import type { DeliveryLedger } from '../data-access/delivery-ledger.repository.js';
import type { Clock } from '../ports/clock.port.js';
import type { ContactLookup } from '../ports/contact-lookup.port.js';

export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status';
export const INBOUND_SMS_PATH = '/webhooks/twilio/inbound';

const DELIVERY_ID = /^dlv_[0-9a-f]{32}$/;

function formValue(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Twilio's webhooks. Each request must carry a valid X-Twilio-Signature over the public URL Twilio called and the
 * posted form; anything else gets 403 and changes nothing.
 */
export function twilioWebhookRoutes(deps: {
  authToken: string;
  publicUrl: () => string;
  ledger: DeliveryLedger;
  contacts: ContactLookup;
  clock: Clock;
  deliveriesTopic: string;
  log: Logger;
}): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const signed = (req: Request, res: Response, next: NextFunction) => {
    const signature = req.header('x-twilio-signature');
    const url = deps.publicUrl().replace(/\/+$/, '') + req.originalUrl;
    const params = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, string>;
    if (!signature || !twilio.validateRequest(deps.authToken, signature, url, params)) {
      deps.log.warn({ path: req.path }, 'Twilio webhook with a missing or invalid signature rejected');
      res.status(403).json({ code: 'NOTIFIER.TWILIO_SIGNATURE_INVALID', message: 'missing or invalid X-Twilio-Signature' });
      return;
    }
    next();
  };

  router.post(STATUS_CALLBACK_PATH, form, signed, async (req, res) => {
    const deliveryId = typeof req.query['d'] === 'string' ? req.query['d'] : '';
    const messageSid = formValue(req.body, 'MessageSid');
    const status = formValue(req.body, 'MessageStatus');
    if (!DELIVERY_ID.test(deliveryId) || !messageSid || !status) {
      res.status(400).json({ code: 'NOTIFIER.STATUS_CALLBACK_INVALID', message: 'needs ?d=<delivery id>, MessageSid and MessageStatus' });
      return;
    }
    try {
      const outcome = await recordSmsStatus(deps, { deliveryId, messageSid, status, errorCode: formValue(req.body, 'ErrorCode') }, deps.log);
      res.status(200).json({ outcome });
    } catch (error) {
      deps.log.error({ code: errorCode(error), deliveryId }, 'status callback failed');
      res.status(503).json({ code: 'NOTIFIER.STATUS_CALLBACK_FAILED', message: 'try again' });
    }
  });

  router.post(INBOUND_SMS_PATH, form, signed, async (req, res) => {
    const from = formValue(req.body, 'From');
    const body = formValue(req.body, 'Body');
    if (!from || body === undefined) {
      res.status(400).json({ code: 'NOTIFIER.INBOUND_SMS_INVALID', message: 'needs From and Body' });
      return;
    }
    try {
      const { reply } = await handleInboundSms(
        { contacts: deps.contacts, helpText: 'Kindred peer support introductions. Reply STOP to opt out, START to opt back in. In crisis, call or text 988.' },
        { from, body },
        deps.log,
      );
      const twiml = new twilio.twiml.MessagingResponse();
      if (reply !== null) twiml.message(reply);
      res.type('text/xml').send(twiml.toString());
    } catch (error) {
      deps.log.error({ code: errorCode(error) }, 'inbound SMS failed');
      res.status(503).json({ code: 'NOTIFIER.INBOUND_SMS_FAILED', message: 'try again' });
    }
  });

  return router;
}
