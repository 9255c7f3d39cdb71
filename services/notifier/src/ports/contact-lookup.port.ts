import type { Contact } from '../domain/delivery.types.js';

/**
 * Contact details at send time (ContactDirectory in intake). The answer is PII: keep it in memory for one send,
 * never log, queue or store it. Each read is audited by intake under `purpose` and `referenceId`.
 */
export interface ContactLookup {
  /** Null when the subject is unknown or erased. Throws a retriable AppError when the directory cannot answer. */
  getContact(subjectId: string, purpose: string, referenceId: string): Promise<Contact | null>;
  /** Records an SMS opt-out or opt-in for every subject using this number; returns their ids. */
  setSmsConsentByPhone(phoneE164: string, consented: boolean, source: string): Promise<string[]>;
}
