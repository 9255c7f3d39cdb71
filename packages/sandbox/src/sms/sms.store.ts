import type { Journal } from '../support/json-lines.journal.js';

export type OutboundStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';
export type DeliveryOutcome = 'delivered' | 'undelivered' | 'failed';
export type SmsStatus = OutboundStatus | 'received';

export interface StatusChange {
  status: SmsStatus;
  errorCode: number | null;
  at: string;
}

/** One HTTP POST the sandbox made to a customer URL (status callback or inbound webhook). */
export interface WebhookAttempt {
  url: string;
  /** The MessageStatus reported, for status callbacks. */
  messageStatus: SmsStatus;
  httpStatus: number | null;
  /** Why no HTTP answer came back (connection refused, timeout). */
  error: string | null;
  at: string;
}

export interface SmsMessage {
  sid: string;
  accountSid: string;
  direction: 'outbound-api' | 'inbound';
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  numSegments: number;
  status: SmsStatus;
  errorCode: number | null;
  statusCallback: string | null;
  dateCreated: string;
  dateUpdated: string;
  dateSent: string | null;
  history: StatusChange[];
  /** Status callbacks for outbound messages, the inbound webhook for inbound ones. */
  webhooks: WebhookAttempt[];
}

export type SmsFaultKind = '429' | '500' | '21610' | '21211' | '21614' | 'timeout';
export const SMS_FAULT_KINDS: readonly SmsFaultKind[] = ['429', '500', '21610', '21211', '21614', 'timeout'];

export interface SmsFault {
  /** null: any recipient. */
  to: string | null;
  kind: SmsFaultKind;
  remaining: number;
}

/** Every send gets one of `kinds` (in turn) until `until` (epoch ms): the provider is throttling or failing for a while. */
export interface SmsFaultWindow {
  kinds: SmsFaultKind[];
  until: number;
}

export interface SmsOutcome {
  to: string;
  status: DeliveryOutcome;
  errorCode: number | null;
}

type SmsJournalRecord =
  | { type: 'message'; message: SmsMessage }
  | { type: 'status'; sid: string; change: StatusChange }
  | { type: 'webhook'; sid: string; attempt: WebhookAttempt };

export interface SmsStore {
  add(message: SmsMessage): void;
  recordStatus(sid: string, change: StatusChange): void;
  recordWebhook(sid: string, attempt: WebhookAttempt): void;
  get(sid: string): SmsMessage | undefined;
  list(filter: { to?: string | undefined; direction?: SmsMessage['direction'] | 'all' }): SmsMessage[];
  clear(): void;
  addFault(fault: SmsFault): void;
  /** Consumes one attempt of the first armed fault for this number, else of the first one for any number. */
  takeFault(to: string): SmsFaultKind | undefined;
  faults(): SmsFault[];
  /** Disarms per-message faults and the window. */
  clearFaults(): void;
  /** Every send gets one of `kinds`, in turn, for `seconds` from now (replaces an earlier window). */
  setFaultWindow(kinds: readonly SmsFaultKind[], seconds: number): SmsFaultWindow;
  faultWindow(): SmsFaultWindow | undefined;
  /** How many sends any window has refused since the sandbox started: proof that a window met traffic. */
  windowRefusals(): number;
  setOutcome(outcome: SmsOutcome): void;
  outcomeFor(to: string): SmsOutcome;
  outcomes(): SmsOutcome[];
  clearOutcomes(): void;
}

export function createSmsStore(journal: Journal<SmsJournalRecord>, maxKept: number, now: () => number = Date.now): SmsStore {
  const messages = new Map<string, SmsMessage>();
  const faults: SmsFault[] = [];
  let window: SmsFaultWindow | undefined;
  let windowTurn = 0;
  let refusals = 0;
  const windowInForce = (): SmsFaultWindow | undefined => {
    if (window !== undefined && now() >= window.until) window = undefined;
    return window;
  };
  const outcomes = new Map<string, SmsOutcome>();

  const keep = (message: SmsMessage): void => {
    messages.set(message.sid, message);
    // Map iteration is insertion order, so the first key is the oldest message.
    while (messages.size > maxKept) {
      const oldest = messages.keys().next().value;
      if (oldest === undefined) break;
      messages.delete(oldest);
    }
  };
  const applyStatus = (sid: string, change: StatusChange): void => {
    const message = messages.get(sid);
    if (message === undefined) return;
    message.history.push(change);
    message.status = change.status;
    message.errorCode = change.errorCode;
    message.dateUpdated = change.at;
    if (change.status === 'sent') message.dateSent = change.at;
  };
  const applyWebhook = (sid: string, attempt: WebhookAttempt): void => {
    messages.get(sid)?.webhooks.push(attempt);
  };

  for (const record of journal.readAll()) {
    switch (record.type) {
      case 'message':
        keep(record.message);
        break;
      case 'status':
        applyStatus(record.sid, record.change);
        break;
      case 'webhook':
        applyWebhook(record.sid, record.attempt);
        break;
    }
  }

  return {
    add(message) {
      journal.append({ type: 'message', message });
      keep(structuredClone(message));
    },
    recordStatus(sid, change) {
      if (!messages.has(sid)) return;
      journal.append({ type: 'status', sid, change });
      applyStatus(sid, change);
    },
    recordWebhook(sid, attempt) {
      if (!messages.has(sid)) return;
      journal.append({ type: 'webhook', sid, attempt });
      applyWebhook(sid, attempt);
    },
    get(sid) {
      const message = messages.get(sid);
      return message === undefined ? undefined : structuredClone(message);
    },
    list({ to, direction = 'outbound-api' }) {
      return [...messages.values()]
        .filter((message) => (direction === 'all' || message.direction === direction) && (to === undefined || message.to === to))
        .map((message) => structuredClone(message));
    },
    clear() {
      messages.clear();
      journal.clear();
    },
    addFault(fault) {
      faults.push({ ...fault });
    },
    takeFault(to) {
      const inForce = windowInForce();
      if (inForce !== undefined) {
        const kind = inForce.kinds[windowTurn % inForce.kinds.length];
        windowTurn += 1;
        if (kind !== undefined) {
          refusals += 1;
          return kind;
        }
      }
      const index = faults.findIndex((fault) => fault.to === to);
      const chosen = index !== -1 ? index : faults.findIndex((fault) => fault.to === null);
      const fault = faults[chosen];
      if (fault === undefined) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.splice(chosen, 1);
      return fault.kind;
    },
    faults: () => faults.map((fault) => ({ ...fault })),
    clearFaults() {
      faults.length = 0;
      window = undefined;
    },
    setFaultWindow(kinds, seconds) {
      window = { kinds: [...kinds], until: now() + seconds * 1000 };
      windowTurn = 0;
      return { ...window, kinds: [...window.kinds] };
    },
    faultWindow() {
      const inForce = windowInForce();
      return inForce === undefined ? undefined : { ...inForce, kinds: [...inForce.kinds] };
    },
    windowRefusals: () => refusals,
    setOutcome(outcome) {
      outcomes.set(outcome.to, { ...outcome });
    },
    outcomeFor: (to) => outcomes.get(to) ?? { to, status: 'delivered', errorCode: null },
    outcomes: () => [...outcomes.values()].map((outcome) => ({ ...outcome })),
    clearOutcomes: () => outcomes.clear(),
  };
}
