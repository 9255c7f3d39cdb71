import { randomUUID } from 'node:crypto';
import { isAppError, type Logger } from '@kindred/platform';
import { introductionDelivered, introductionFailed } from '../adapters/delivery-events.js';
import type { DeliveryDocument, DeliveryLedger } from '../data-access/delivery-ledger.repository.js';
import { composeIntroduction } from '../domain/compose-introduction.js';
import type { Contact } from '../domain/delivery.types.js';
import { renderIntroductionEmail, renderIntroductionSms } from '../domain/introduction-templates.js';
import { classifySmtpFailure, classifyTwilioFailure, type ProviderFailure } from '../domain/provider-errors.js';
import { delayUntilSendable, type SendingWindow } from '../domain/quiet-hours.js';
import type { Clock } from '../ports/clock.port.js';
import type { ContactLookup } from '../ports/contact-lookup.port.js';
import type { EmailSender, SmsSender } from '../ports/message-senders.port.js';
import type { EmailOptOuts } from '../ports/email-opt-outs.port.js';
import { withOptOuts } from './introduce-match.js';

export interface SendDeliveryDeps {
  readonly ledger: DeliveryLedger;
  readonly contacts: ContactLookup;
  readonly optOuts: EmailOptOuts;
  readonly email: EmailSender;
  readonly sms: SmsSender;
  readonly clock: Clock;
  readonly sendingWindow: SendingWindow;
  readonly defaultTimeZone: string;
  /** How long a claim stays ours; a worker that died frees its deliveries after this. */
  readonly claimLeaseMs: number;
  readonly deliveriesTopic: string;
  /** Seconds from the provider's acceptance to the ledger write: the window in which a crash means a resend. */
  readonly observeRecordWindow?: (channel: 'email' | 'sms', seconds: number) => void;
  readonly urls: { statusCallback: (deliveryId: string) => string; unsubscribe: (deliveryId: string) => string; messageIdDomain: string };
}

export type SendOutcome =
  | { readonly kind: 'sent'; readonly providerMessageId: string }
  /** Nothing to do: already sent, suppressed or failed. */
  | { readonly kind: 'skipped'; readonly status: string }
  /** Another worker holds a live claim; look again when it ends. */
  | { readonly kind: 'busy'; readonly delayMs: number }
  /** Quiet hours in the recipient's zone: try again at `until`. */
  | { readonly kind: 'deferred'; readonly until: Date; readonly delayMs: number }
  /** Transient failure: released for a later attempt. */
  | { readonly kind: 'retry'; readonly failure: ProviderFailure }
  /** Failed for good (or suppressed because consent was withdrawn); recorded with its event. */
  | { readonly kind: 'failed'; readonly failure: ProviderFailure };

export function isRateLimit(failure: ProviderFailure): boolean {
  return failure.code === 'twilio_429';
}

function lookupFailure(error: unknown): ProviderFailure {
  return {
    permanent: false,
    code: isAppError(error) ? error.code.toLowerCase() : 'contact_lookup',
    reason: 'contact directory unavailable',
  };
}

/**
 * Sends one delivery at most once per successful claim. The ledger claim (queued → sending, conditional) is what
 * stops a replayed job or a second worker from sending again; the provider id is recorded right after acceptance.
 * A crash between the provider accepting and that write is the one window where a resend can happen (after the
 * claim's lease runs out).
 */
export async function sendDelivery(
  deps: SendDeliveryDeps,
  deliveryId: string,
  attempt: { readonly isLast: boolean },
  log: Logger,
): Promise<SendOutcome> {
  const token = randomUUID();
  const startedAt = deps.clock.now();
  const claimed = await deps.ledger.claim(deliveryId, token, startedAt, deps.claimLeaseMs);
  // On the process's monotonic clock (deps.clock may be a test's frozen one): the claim is ours until then.
  const claimedAt = performance.now();
  if (!claimed) {
    const current = await deps.ledger.get(deliveryId);
    if (current?.status === 'sending' && current.claimedUntil) return { kind: 'busy', delayMs: Math.max(0, current.claimedUntil.getTime() - startedAt.getTime()) };
    return { kind: 'skipped', status: current?.status ?? 'unknown' };
  }

  const fail = async (failure: ProviderFailure, status: 'failed' | 'suppressed' = 'failed'): Promise<SendOutcome> => {
    const now = deps.clock.now();
    await deps.ledger.markFinal(deliveryId, token, status, failure.code, now, introductionFailed(claimed, failure, now, deps.deliveriesTopic));
    log.warn({ deliveryId, channel: claimed.channel, code: failure.code, permanent: failure.permanent }, 'delivery failed for good');
    return { kind: 'failed', failure };
  };
  const retryLater = async (failure: ProviderFailure): Promise<SendOutcome> => {
    // Being rate limited is the provider pacing us, not the delivery failing: it never uses up the last attempt.
    if (failure.permanent || (attempt.isLast && !isRateLimit(failure))) return fail(failure);
    await deps.ledger.release(deliveryId, token, deps.clock.now(), null, failure.code);
    log.info({ deliveryId, channel: claimed.channel, code: failure.code }, 'transient delivery failure; will retry');
    return { kind: 'retry', failure };
  };

  let recipient: Contact | null;
  let counterpart: Contact | null;
  try {
    [recipient, counterpart] = await Promise.all([
      deps.contacts.getContact(claimed.recipientId, 'introduction', deliveryId).then((contact) => withOptOuts(deps.optOuts, contact)),
      deps.contacts.getContact(claimed.counterpartId, 'introduction_counterpart', deliveryId),
    ]);
  } catch (error) {
    return retryLater(lookupFailure(error));
  }
  if (recipient === null) {
    return fail({ permanent: true, code: 'recipient_unknown', reason: 'recipient unknown or erased' });
  }
  const consented = claimed.channel === 'email' ? recipient.consents.email : recipient.consents.sms;
  const address = claimed.channel === 'email' ? recipient.email : recipient.phoneE164;
  if (!consented || address === '') {
    // Consent withdrawn (a STOP, say) between planning and sending.
    return fail({ permanent: true, code: consented ? 'no_address' : 'no_consent', reason: 'recipient no longer reachable on this channel' }, 'suppressed');
  }

  const delay = delayUntilSendable(startedAt, recipient.timeZone, deps.sendingWindow, deps.defaultTimeZone);
  if (delay > 0) {
    const until = new Date(startedAt.getTime() + delay);
    await deps.ledger.release(deliveryId, token, startedAt, until, 'quiet_hours');
    log.info({ deliveryId, channel: claimed.channel, until }, 'quiet hours in the recipient time zone; deferred');
    return { kind: 'deferred', until, delayMs: delay };
  }

  const content = composeIntroduction({
    role: claimed.role,
    recipient,
    counterpart,
    sharedTopics: claimed.sharedTopics,
    shareTopicsConsented: claimed.shareTopicsConsented,
    unsubscribeUrl: deps.urls.unsubscribe(deliveryId),
  });

  let providerMessageId: string;
  try {
    if (claimed.channel === 'email') {
      const email = renderIntroductionEmail(content);
      ({ providerMessageId } = await deps.email.send({
        to: recipient.email,
        ...email,
        messageId: `<${deliveryId}@${deps.urls.messageIdDomain}>`,
        unsubscribeUrl: content.unsubscribeUrl,
      }));
    } else {
      ({ providerMessageId } = await deps.sms.send({
        to: recipient.phoneE164,
        body: renderIntroductionSms(content),
        statusCallbackUrl: deps.urls.statusCallback(deliveryId),
      }));
    }
  } catch (error) {
    const failure = claimed.channel === 'email' ? classifySmtpFailure(error) : classifyTwilioFailure(error);
    if (failure.code === 'twilio_21610') {
      // The number texted STOP to our sender at some point: Twilio knows it, so the directory should too.
      await deps.contacts.setSmsConsentByPhone(recipient.phoneE164, false, 'provider_21610').catch((lookupError: unknown) => {
        log.warn({ deliveryId, code: lookupError instanceof Error ? lookupError.name : 'unknown' }, 'could not record the provider opt-out');
      });
    }
    return retryLater(failure);
  }

  const sentAt = deps.clock.now();
  const acceptedAt = performance.now();
  const event = introductionDelivered(claimed, providerMessageId, sentAt, deps.deliveriesTopic);
  const recorded = await recordSent(() => deps.ledger.markSent(deliveryId, token, providerMessageId, sentAt, event), claimedAt + deps.claimLeaseMs, {
    onRetry: (error, attemptNo) => log.warn({ deliveryId, channel: claimed.channel, code: errorName(error), attempt: attemptNo }, 'provider accepted; recording it failed, trying again'),
    onGiveUp: (error) =>
      log.error({ deliveryId, channel: claimed.channel, code: errorName(error) }, 'provider accepted, but the ledger could not record it while the claim held; the message may go out twice'),
  });
  deps.observeRecordWindow?.(claimed.channel, (performance.now() - acceptedAt) / 1000);
  if (!recorded) {
    const current = await deps.ledger.get(deliveryId);
    if (current?.providerMessageId !== providerMessageId) {
      // Our lease ran out during the send and another worker took the claim: the duplicate window, made visible.
      log.error({ deliveryId, channel: claimed.channel }, 'claim lost while sending; the message may go out twice');
    }
  }
  log.info({ deliveryId, channel: claimed.channel, attempt: claimed.attempts }, 'introduction sent');
  return { kind: 'sent', providerMessageId };
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'unknown');

/**
 * Writes "sent" after the provider accepted. If the ledger cannot be reached (a MongoDB restart, say), the write is
 * tried again, with backoff, for as long as our claim holds: giving up at once would leave the delivery `sending`,
 * and the job's next attempt would send the message again once the lease ran out. `leaseEndsAt` is on
 * performance.now()'s clock; a margin is kept so that no other worker can claim before our last try ends.
 */
export async function recordSent(
  write: () => Promise<boolean>,
  leaseEndsAt: number,
  hooks: { readonly onRetry?: (error: unknown, attempt: number) => void; readonly onGiveUp?: (error: unknown) => void } = {},
  backoff: { readonly firstMs: number; readonly maxMs: number; readonly marginMs: number } = { firstMs: 100, maxMs: 2_000, marginMs: 1_000 },
): Promise<boolean> {
  let delayMs = backoff.firstMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (performance.now() + delayMs > leaseEndsAt - backoff.marginMs) {
        hooks.onGiveUp?.(error);
        throw error;
      }
      hooks.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, backoff.maxMs);
    }
  }
}

export type { DeliveryDocument };
