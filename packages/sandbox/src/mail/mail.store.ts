import type { Journal } from '../support/json-lines.journal.js';

export interface CapturedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
}

export interface CapturedMail {
  id: string;
  envelope: { from: string | null; to: string[] };
  /** Header names lower-cased; values as sent (unfolded, not decoded); repeated headers joined with ", ". */
  headers: Record<string, string>;
  messageId: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  attachments: CapturedAttachment[];
  receivedAt: string;
}

export type MailFaultCode = 550 | 451;
export interface MailFault {
  to: string;
  code: MailFaultCode;
  remaining: number;
}

/** Every recipient gets `code` until `until` (epoch ms): a relay that is down for a while, not one bad mailbox. */
export interface MailFaultWindow {
  code: MailFaultCode;
  until: number;
}

type MailJournalRecord = { type: 'mail'; mail: CapturedMail };

export interface MailStore {
  add(mail: CapturedMail): void;
  list(filter: { to?: string | undefined }): CapturedMail[];
  get(id: string): CapturedMail | undefined;
  clear(): void;
  setFault(to: string, code: MailFaultCode, times: number): void;
  /** Consumes one attempt of a fault for this recipient, if any is armed. */
  takeFault(to: string): MailFaultCode | undefined;
  faults(): MailFault[];
  /** Disarms per-recipient faults and the window. */
  clearFaults(): void;
  /** Every RCPT TO gets `code` for `seconds` from now (replaces an earlier window). */
  setFaultWindow(code: MailFaultCode, seconds: number): MailFaultWindow;
  /** The window in force now, if any. */
  faultWindow(): MailFaultWindow | undefined;
  /** How many RCPT TO any window has refused since the sandbox started: proof that a window met traffic. */
  windowRefusals(): number;
}

const normalizeAddress = (address: string): string => address.trim().toLowerCase();

export function createMailStore(journal: Journal<MailJournalRecord>, maxKept: number, now: () => number = Date.now): MailStore {
  const messages: CapturedMail[] = [];
  const faults = new Map<string, MailFault>();
  let window: MailFaultWindow | undefined;
  let refusals = 0;
  const windowInForce = (): MailFaultWindow | undefined => {
    if (window !== undefined && now() >= window.until) window = undefined;
    return window;
  };

  const keep = (mail: CapturedMail): void => {
    messages.push(mail);
    if (messages.length > maxKept) messages.splice(0, messages.length - maxKept);
  };
  for (const record of journal.readAll()) {
    if (record.type === 'mail') keep(record.mail);
  }

  return {
    add(mail) {
      journal.append({ type: 'mail', mail });
      keep(mail);
    },
    list({ to }) {
      if (to === undefined) return [...messages];
      const wanted = normalizeAddress(to);
      return messages.filter((mail) => mail.envelope.to.some((address) => normalizeAddress(address) === wanted));
    },
    get: (id) => messages.find((mail) => mail.id === id),
    clear() {
      messages.length = 0;
      journal.clear();
    },
    setFault(to, code, times) {
      const key = normalizeAddress(to);
      faults.set(key, { to: key, code, remaining: times });
    },
    takeFault(to) {
      const inForce = windowInForce();
      if (inForce !== undefined) {
        refusals += 1;
        return inForce.code;
      }
      const fault = faults.get(normalizeAddress(to));
      if (fault === undefined) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.delete(fault.to);
      return fault.code;
    },
    faults: () => [...faults.values()].map((fault) => ({ ...fault })),
    clearFaults() {
      faults.clear();
      window = undefined;
    },
    setFaultWindow(code, seconds) {
      window = { code, until: now() + seconds * 1000 };
      return { ...window };
    },
    faultWindow() {
      const inForce = windowInForce();
      return inForce === undefined ? undefined : { ...inForce };
    },
    windowRefusals: () => refusals,
  };
}
