import express from 'express';
import type { Request, Response, Router } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { httpUrl, isE164 } from '../support/input.js';
import type { SmsDelivery } from './sms-delivery.js';
import type { SmsFaultKind, SmsMessage, SmsStore } from './sms.store.js';

const API_VERSION = '2010-04-01';
/** Twilio refuses a body longer than this (error 21617). */
const MAX_BODY_LENGTH = 1600;
/** A held ("timeout") request is answered after this long at most, so nothing leaks forever. */
const HOLD_LIMIT_MS = 30_000;

function sendTwilioError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

const FAULTS: Record<Exclude<SmsFaultKind, 'timeout'>, { status: number; code: number; message: string }> = {
  '429': { status: 429, code: 20429, message: 'Too Many Requests' },
  '500': { status: 500, code: 20500, message: 'Internal Server Error' },
  '21610': { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '21211': { status: 400, code: 21211, message: "Invalid 'To' Phone Number" },
  '21614': { status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
};

/** RFC 2822 in Twilio's style: "Thu, 24 Aug 2023 05:01:45 +0000". */
export function rfc2822(iso: string | null): string | null {
  return iso === null ? null : new Date(iso).toUTCString().replace(/GMT$/, '+0000');
}

/** The Message resource as Twilio's API renders it (and as twilio-node's MessageInstance reads it). */
export function twilioMessageJson(message: SmsMessage): Record<string, unknown> {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}.json`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
    to: message.to,
    uri,
  };
}

function credentialsMatch(req: Request, accountSid: string, authToken: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const expected = Buffer.from(`${accountSid}:${authToken}`, 'utf8');
  const given = Buffer.from(decoded, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export interface HeldRequests {
  count(): number;
  releaseAll(): void;
}

/** The slice of Twilio's REST API that Kindred uses: create and fetch a Message. */
export function twilioMessagesRoutes(deps: { store: SmsStore; delivery: SmsDelivery; authToken: string }): { router: Router; held: HeldRequests } {
  const { store, delivery, authToken } = deps;
  const router = express.Router();
  const held = new Set<Response>();

  const hold = (res: Response): void => {
    held.add(res);
    const limit = setTimeout(() => {
      if (!res.headersSent) sendTwilioError(res, 504, 20504, 'Gateway Timeout (sandbox held the request)');
    }, HOLD_LIMIT_MS);
    res.on('close', () => {
      clearTimeout(limit);
      held.delete(res);
    });
  };

  const authenticate = (req: Request<{ accountSid: string }>, res: Response): boolean => {
    if (credentialsMatch(req, req.params.accountSid, authToken)) return true;
    res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
    sendTwilioError(res, 401, 20003, 'Authenticate');
    return false;
  };

  router.post('/2010-04-01/Accounts/:accountSid/Messages.json', express.urlencoded({ extended: false, limit: '100kb' }), (req, res) => {
    if (!authenticate(req, res)) return;
    const to = formField(req.body, 'To');
    const from = formField(req.body, 'From');
    const messagingServiceSid = formField(req.body, 'MessagingServiceSid');
    const body = formField(req.body, 'Body');
    const statusCallback = formField(req.body, 'StatusCallback');

    if (to === undefined || to === '') return sendTwilioError(res, 400, 21211, "A 'To' phone number is required.");
    if (!isE164(to)) return sendTwilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if ((from === undefined || from === '') && (messagingServiceSid === undefined || messagingServiceSid === '')) {
      return sendTwilioError(res, 400, 21603, "A 'From' phone number or a 'MessagingServiceSid' is required.");
    }
    if (body === undefined || body === '') return sendTwilioError(res, 400, 21602, 'Message body is required.');
    if (body.length > MAX_BODY_LENGTH) return sendTwilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (statusCallback !== undefined && statusCallback !== '') {
      try {
        httpUrl(statusCallback, 'StatusCallback');
      } catch {
        return sendTwilioError(res, 400, 21609, 'The StatusCallback URL is not a valid URL.');
      }
    }

    const fault = store.takeFault(to);
    if (fault === 'timeout') return hold(res);
    if (fault !== undefined) {
      const { status, code, message } = FAULTS[fault];
      return sendTwilioError(res, status, code, message);
    }

    const message = delivery.accept({
      accountSid: req.params.accountSid,
      to,
      from: from === undefined || from === '' ? null : from,
      messagingServiceSid: messagingServiceSid === undefined || messagingServiceSid === '' ? null : messagingServiceSid,
      body,
      statusCallback: statusCallback === undefined || statusCallback === '' ? null : statusCallback,
    });
    res.status(201).json(twilioMessageJson(message));
  });

  router.get('/2010-04-01/Accounts/:accountSid/Messages/:sid.json', (req, res) => {
    if (!authenticate(req, res)) return;
    const message = store.get(req.params.sid);
    if (message === undefined || message.accountSid !== req.params.accountSid) {
      return sendTwilioError(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${req.params.accountSid}/Messages/${req.params.sid}.json was not found`);
    }
    res.json(twilioMessageJson(message));
  });

  return {
    router,
    held: {
      count: () => held.size,
      releaseAll() {
        for (const res of held) res.socket?.destroy();
        held.clear();
      },
    },
  };
}
