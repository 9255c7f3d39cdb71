/** The vocabulary of introductions, free of any framework or wire format. */
export type Channel = 'email' | 'sms';
export type RecipientRole = 'peer' | 'newcomer';
export type Locale = 'en' | 'es';

/**
 * queued → sending → sent → delivered | undelivered | failed; queued → suppressed (never sent, with a reason).
 * `sending` is a claim with a lease: only the worker holding it may call the provider.
 */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'suppressed';

export const CHANNELS: readonly Channel[] = ['email', 'sms'];

/** Lived-experience topics as stable lower_snake keys ("depression", "trauma_ptsd"). */
export type TopicKey = string;

export interface ApprovedMatch {
  readonly matchId: string;
  readonly newcomerId: string;
  readonly peerId: string;
  readonly sharedTopics: readonly TopicKey[];
  /** The newcomer agreed that the peer may see the topics they share. */
  readonly shareTopicsConsented: boolean;
}

/** What a person agreed to, as ContactDirectory reports it. */
export interface ContactConsents {
  readonly email: boolean;
  readonly sms: boolean;
  readonly shareFirstName: boolean;
  readonly shareTopics: boolean;
}

/** Contact details, held in memory for one send only: never logged, queued or published. */
export interface Contact {
  readonly subjectId: string;
  readonly firstName: string;
  readonly email: string;
  readonly phoneE164: string;
  readonly locale: Locale;
  readonly timeZone: string;
  readonly consents: ContactConsents;
}

export function toLocale(value: string): Locale {
  return value.toLowerCase().startsWith('es') ? 'es' : 'en';
}
