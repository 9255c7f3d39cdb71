import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { countSegments } from './sms-segments.js';
import type { DeliveryOutcome, SmsMessage, SmsStatus, SmsStore } from './sms.store.js';
import type { WebhookResponse } from './signed-webhook.sender.js';
import { describeFetchError, postSignedWebhook } from './signed-webhook.sender.js';

/** Twilio's own defaults when a carrier reports no more specific reason. */
const DEFAULT_ERROR_CODES: Record<Exclude<DeliveryOutcome, 'delivered'>, number> = {
  undelivered: 30003, // Unreachable destination handset
  failed: 30008, // Unknown error
};
/** Stands in for the number a Messaging Service would pick from its sender pool. */
export const SANDBOX_POOL_NUMBER = '+15005550006';
export const DEFAULT_ACCOUNT_SID = `AC${'0'.repeat(32)}`;

export const newSid = (prefix: 'SM'): string => `${prefix}${randomBytes(16).toString('hex')}`;

export interface OutboundRequest {
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
}

export interface InboundRequest {
  accountSid: string;
  from: string;
  to: string;
  body: string;
  webhookUrl: string;
}

export interface SmsDelivery {
  /** Stores a queued message and plays out its delivery (status changes and callbacks) in the background. */
  accept(request: OutboundRequest): SmsMessage;
  /** Delivers an inbound message to a webhook the way Twilio does; rejects when the webhook cannot be reached. */
  receive(request: InboundRequest): Promise<{ message: SmsMessage; response: WebhookResponse }>;
  close(): Promise<void>;
}

export function createSmsDelivery(deps: { store: SmsStore; authToken: string; callbackDelayMs: number }): SmsDelivery {
  const { store, authToken, callbackDelayMs } = deps;
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const callback = async (message: SmsMessage, status: SmsStatus, errorCode: number | null): Promise<void> => {
    if (message.statusCallback === null) return;
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: '2010-04-01',
      From: message.from ?? SANDBOX_POOL_NUMBER,
      MessageSid: message.sid,
      MessageStatus: status,
      SmsSid: message.sid,
      SmsStatus: status,
      To: message.to,
    };
    if (message.messagingServiceSid !== null) params['MessagingServiceSid'] = message.messagingServiceSid;
    if (errorCode !== null) params['ErrorCode'] = String(errorCode);
    const at = () => new Date().toISOString();
    try {
      const response = await postSignedWebhook(message.statusCallback, params, authToken, shutdown.signal);
      store.recordWebhook(message.sid, { url: message.statusCallback, messageStatus: status, httpStatus: response.status, error: null, at: at() });
    } catch (error) {
      if (shutdown.signal.aborted) return;
      store.recordWebhook(message.sid, { url: message.statusCallback, messageStatus: status, httpStatus: null, error: describeFetchError(error), at: at() });
    }
  };

  const playOut = async (message: SmsMessage): Promise<void> => {
    const outcome = store.outcomeFor(message.to);
    // Let the 201 reach the sender before anything about the message happens.
    await sleep(callbackDelayMs, undefined, { signal: shutdown.signal });
    // A message that failed was never handed to a carrier, so it is never "sent".
    if (outcome.status !== 'failed') {
      store.recordStatus(message.sid, { status: 'sent', errorCode: null, at: new Date().toISOString() });
      await callback(message, 'sent', null);
    }
    if (shutdown.signal.aborted) return;
    const errorCode = outcome.status === 'delivered' ? null : (outcome.errorCode ?? DEFAULT_ERROR_CODES[outcome.status]);
    store.recordStatus(message.sid, { status: outcome.status, errorCode, at: new Date().toISOString() });
    await callback(message, outcome.status, errorCode);
  };

  return {
    accept(request) {
      const now = new Date().toISOString();
      const message: SmsMessage = {
        sid: newSid('SM'),
        accountSid: request.accountSid,
        direction: 'outbound-api',
        to: request.to,
        from: request.from,
        messagingServiceSid: request.messagingServiceSid,
        body: request.body,
        numSegments: countSegments(request.body),
        status: 'queued',
        errorCode: null,
        statusCallback: request.statusCallback,
        dateCreated: now,
        dateUpdated: now,
        dateSent: null,
        history: [{ status: 'queued', errorCode: null, at: now }],
        webhooks: [],
      };
      store.add(message);
      track(playOut(message).catch(() => undefined));
      return message;
    },
    async receive(request) {
      const now = new Date().toISOString();
      const sid = newSid('SM');
      const numSegments = countSegments(request.body);
      const params: Record<string, string> = {
        AccountSid: request.accountSid,
        ApiVersion: '2010-04-01',
        Body: request.body,
        From: request.from,
        MessageSid: sid,
        NumMedia: '0',
        NumSegments: String(numSegments),
        SmsMessageSid: sid,
        SmsSid: sid,
        SmsStatus: 'received',
        To: request.to,
      };
      const message: SmsMessage = {
        sid,
        accountSid: request.accountSid,
        direction: 'inbound',
        to: request.to,
        from: request.from,
        messagingServiceSid: null,
        body: request.body,
        numSegments,
        status: 'received',
        errorCode: null,
        statusCallback: null,
        dateCreated: now,
        dateUpdated: now,
        dateSent: now,
        history: [{ status: 'received', errorCode: null, at: now }],
        webhooks: [],
      };
      store.add(message);
      let response: WebhookResponse;
      try {
        response = await postSignedWebhook(request.webhookUrl, params, authToken, shutdown.signal);
      } catch (error) {
        const reason = describeFetchError(error);
        store.recordWebhook(sid, { url: request.webhookUrl, messageStatus: 'received', httpStatus: null, error: reason, at: new Date().toISOString() });
        throw new Error(`The webhook could not be reached: ${reason}`, { cause: error });
      }
      store.recordWebhook(sid, { url: request.webhookUrl, messageStatus: 'received', httpStatus: response.status, error: null, at: new Date().toISOString() });
      return { message: store.get(sid) ?? message, response };
    },
    async close() {
      shutdown.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
