import type { Logger } from '@kindred/platform';
import { introductionDelivered, introductionFailed } from '../adapters/delivery-events.js';
import type { DeliveryLedger } from '../data-access/delivery-ledger.repository.js';
import { classifyStatusCallbackFailure } from '../domain/provider-errors.js';
import { smsKeywordOf, type SmsKeyword } from '../domain/sms-keywords.js';
import type { Clock } from '../ports/clock.port.js';
import type { ContactLookup } from '../ports/contact-lookup.port.js';

const TRACKED = new Set(['sent', 'delivered', 'undelivered', 'failed'] as const);
type TrackedStatus = 'sent' | 'delivered' | 'undelivered' | 'failed';

function isTracked(status: string): status is TrackedStatus {
  return (TRACKED as ReadonlySet<string>).has(status);
}

/** Twilio's status report for one message. Statuses before "sent" (queued, sending, accepted) change nothing. */
export async function recordSmsStatus(
  deps: { ledger: DeliveryLedger; clock: Clock; deliveriesTopic: string },
  report: { deliveryId: string; messageSid: string; status: string; errorCode: string | undefined },
  log: Logger,
): Promise<'applied' | 'ignored'> {
  if (!isTracked(report.status)) return 'ignored';
  const now = deps.clock.now();
  const status = report.status;
  const failure = status === 'undelivered' || status === 'failed' ? classifyStatusCallbackFailure(report.errorCode) : null;
  const updated = await deps.ledger.recordProviderStatus(report.deliveryId, report.messageSid, status, failure?.code ?? null, now, (current) => {
    if (failure) return introductionFailed(current, failure, now, deps.deliveriesTopic);
    // Delivered was already announced when the worker recorded the send; announce it here only if it could not.
    return current.status === 'sent' ? null : introductionDelivered(current, report.messageSid, now, deps.deliveriesTopic);
  });
  log.info({ deliveryId: report.deliveryId, status, applied: updated !== null }, 'SMS status callback');
  return updated ? 'applied' : 'ignored';
}

export interface InboundSmsReply {
  readonly keyword: SmsKeyword | null;
  /** Text to answer with, or null for an empty reply (Twilio itself confirms STOP and START to the sender). */
  readonly reply: string | null;
}

/** STOP-like words turn SMS off for everyone on that number, START-like words turn it back on; HELP explains. */
export async function handleInboundSms(
  deps: { contacts: ContactLookup; helpText: string },
  message: { from: string; body: string },
  log: Logger,
): Promise<InboundSmsReply> {
  const keyword = smsKeywordOf(message.body);
  switch (keyword) {
    case 'stop': {
      const subjects = await deps.contacts.setSmsConsentByPhone(message.from, false, 'sms_keyword_stop');
      log.info({ keyword, subjects: subjects.length }, 'SMS opt-out recorded');
      return { keyword, reply: null };
    }
    case 'start': {
      const subjects = await deps.contacts.setSmsConsentByPhone(message.from, true, 'sms_keyword_start');
      log.info({ keyword, subjects: subjects.length }, 'SMS opt-in recorded');
      return { keyword, reply: null };
    }
    case 'help':
      return { keyword, reply: deps.helpText };
    case null:
      return { keyword, reply: null };
  }
}
