import type { CapturedMail, MailFault, MailFaultCode, MailFaultWindow } from './mail/mail.store.js';
import type { DeliveryOutcome, SmsFault, SmsFaultKind, SmsFaultWindow, SmsMessage, SmsOutcome } from './sms/sms.store.js';

export type { CapturedMail, MailFault, MailFaultCode, MailFaultWindow } from './mail/mail.store.js';
export type { DeliveryOutcome, SmsFault, SmsFaultKind, SmsFaultWindow, SmsMessage, SmsOutcome, SmsStatus, StatusChange, WebhookAttempt } from './sms/sms.store.js';
export { twilioHttpClientFor } from './twilio-http-client.js';

/** The sandbox answered with an error; `code` is its stable error code (e.g. SANDBOX.INVALID_FIELD). */
export class SandboxClientError extends Error {
  override name = 'SandboxClientError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface InboundSmsResult {
  messageSid: string;
  /** The webhook's HTTP status and body (TwiML, usually). */
  status: number;
  contentType: string | null;
  body: string;
}

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll interval (default 50 ms). */
  intervalMs?: number;
}

/** A typed client for the sandbox's control API, for tests and scripts. */
export function sandboxClient(url: string) {
  const base = url.replace(/\/+$/, '');

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const response = await fetch(base + path, init);
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const error = (parsed ?? {}) as { code?: unknown; message?: unknown };
      throw new SandboxClientError(
        response.status,
        typeof error.code === 'string' ? error.code : undefined,
        typeof error.message === 'string' ? error.message : `${method} ${path} answered ${response.status}`,
      );
    }
    return parsed as T;
  }

  const query = (params: Record<string, string | undefined>): string => {
    const entries = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
  };

  async function waitUntil<T>(describe: string, probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${describe}.`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
    }
  }

  const client = {
    url: base,
    /** Captured mail, oldest first; `to` matches any envelope recipient, case-insensitively. */
    listMail: async (filter: { to?: string } = {}) => (await call<{ messages: CapturedMail[] }>('GET', `/api/mail${query({ to: filter.to })}`)).messages,
    getMail: (id: string) => call<CapturedMail>('GET', `/api/mail/${encodeURIComponent(id)}`),
    clearMail: () => call<undefined>('DELETE', '/api/mail'),
    /** The next `times` RCPT TO for this address are refused with `code`. */
    mailFault: async (fault: { to: string; code: MailFaultCode; times?: number }) => (await call<{ faults: MailFault[] }>('POST', '/api/mail/faults', fault)).faults,
    mailFaults: async () => (await call<{ faults: MailFault[] }>('GET', '/api/mail/faults')).faults,
    /** Disarms per-recipient faults and the fault window. */
    clearMailFaults: () => call<undefined>('DELETE', '/api/mail/faults'),
    /** Every RCPT TO, whoever the recipient, gets `code` for the next `seconds`. */
    mailFaultWindow: async (window: { code: MailFaultCode; seconds: number }) =>
      (await call<{ window: MailFaultWindow }>('POST', '/api/mail/fault-window', window)).window,
    currentMailFaultWindow: async () => (await call<{ window: MailFaultWindow | null }>('GET', '/api/mail/fault-window')).window,
    /** How many RCPT TO fault windows have refused since the sandbox started. */
    mailWindowRefusals: async () => (await call<{ refusals: number }>('GET', '/api/mail/fault-window')).refusals,
    /** Waits until at least `count` messages (default 1) were captured for `to`, and returns them all. */
    waitForMail: (to: string, options: WaitOptions & { count?: number } = {}) =>
      waitUntil(`mail to ${to}`, async () => {
        const messages = await client.listMail({ to });
        return messages.length >= (options.count ?? 1) ? messages : undefined;
      }, options),

    /** Sent (outbound) messages by default, oldest first, each with its status history and callbacks. */
    listSms: async (filter: { to?: string; direction?: 'outbound-api' | 'inbound' | 'all' } = {}) =>
      (await call<{ messages: SmsMessage[] }>('GET', `/api/sms${query({ to: filter.to, direction: filter.direction })}`)).messages,
    getSms: (sid: string) => call<SmsMessage>('GET', `/api/sms/${encodeURIComponent(sid)}`),
    clearSms: () => call<undefined>('DELETE', '/api/sms'),
    /** The next `times` sends (to `to`, or to anyone when omitted) fail the way Twilio fails. */
    smsFault: async (fault: { to?: string; kind: SmsFaultKind; times?: number }) => (await call<{ faults: SmsFault[] }>('POST', '/api/sms/faults', fault)).faults,
    /** Armed faults, and how many "timeout" requests the sandbox is holding open right now. */
    smsFaults: () => call<{ faults: SmsFault[]; heldRequests: number }>('GET', '/api/sms/faults'),
    /** Disarms per-message faults and the fault window. */
    clearSmsFaults: () => call<undefined>('DELETE', '/api/sms/faults'),
    /** Every send, to anyone, fails with one of `kinds` (in turn) for the next `seconds`. */
    smsFaultWindow: async (window: { kinds: SmsFaultKind[]; seconds: number }) =>
      (await call<{ window: SmsFaultWindow }>('POST', '/api/sms/fault-window', window)).window,
    currentSmsFaultWindow: async () => (await call<{ window: SmsFaultWindow | null }>('GET', '/api/sms/fault-window')).window,
    /** How many sends fault windows have refused since the sandbox started. */
    smsWindowRefusals: async () => (await call<{ refusals: number }>('GET', '/api/sms/fault-window')).refusals,
    /** How later messages to `to` end: delivered (default), undelivered or failed. */
    smsOutcome: async (outcome: { to: string; status: DeliveryOutcome; errorCode?: number }) =>
      (await call<{ outcomes: SmsOutcome[] }>('POST', '/api/sms/outcomes', outcome)).outcomes,
    clearSmsOutcomes: () => call<undefined>('DELETE', '/api/sms/outcomes'),
    /** Simulates a text from `from` to `to`: the sandbox POSTs a signed Twilio webhook to `webhookUrl`. */
    inboundSms: (message: { from: string; to: string; body: string; webhookUrl: string; accountSid?: string }) =>
      call<InboundSmsResult>('POST', '/api/sms/inbound', message),
    /** Waits until `predicate` holds for the message with this sid (e.g. its callbacks were answered). */
    waitForSms: (sid: string, predicate: (message: SmsMessage) => boolean, options: WaitOptions = {}) =>
      waitUntil(`SMS ${sid}`, async () => {
        const message = await client.getSms(sid);
        return predicate(message) ? message : undefined;
      }, options),
  };
  return client;
}

export type SandboxClient = ReturnType<typeof sandboxClient>;
