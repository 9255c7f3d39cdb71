import { createHash } from 'node:crypto';
import { CHANNELS, type ApprovedMatch, type Channel, type Contact, type RecipientRole } from './delivery.types.js';

export type SuppressionReason = 'no_consent' | 'no_address' | 'recipient_unknown';

export interface PlannedDelivery {
  readonly deliveryId: string;
  readonly matchId: string;
  readonly recipientId: string;
  readonly role: RecipientRole;
  readonly channel: Channel;
  /** The other person of the match: their first name (and reach, for a peer) goes into the message. */
  readonly counterpartId: string;
  readonly decision: { readonly kind: 'send' } | { readonly kind: 'suppress'; readonly reason: SuppressionReason };
}

/**
 * The same (match, recipient, channel) always yields the same id, so a replayed event finds the delivery it
 * already recorded. Only [a-z0-9_] so that it is a valid BullMQ job id and Message-ID local part.
 */
export function deliveryIdFor(matchId: string, recipientId: string, channel: Channel): string {
  const digest = createHash('sha256').update(`${matchId}\u0000${recipientId}\u0000${channel}`).digest('hex');
  return `dlv_${digest.slice(0, 32)}`;
}

function decide(contact: Contact | null, channel: Channel): PlannedDelivery['decision'] {
  if (contact === null) return { kind: 'suppress', reason: 'recipient_unknown' };
  const consented = channel === 'email' ? contact.consents.email : contact.consents.sms;
  if (!consented) return { kind: 'suppress', reason: 'no_consent' };
  const address = channel === 'email' ? contact.email : contact.phoneE164;
  if (address === '') return { kind: 'suppress', reason: 'no_address' };
  return { kind: 'send' };
}

/**
 * One delivery per recipient and channel; those the recipient did not consent to (or cannot be reached on, or who
 * is unknown to the directory: null) are planned as suppressed.
 */
export function planIntroduction(
  match: ApprovedMatch,
  contacts: { readonly peer: Contact | null; readonly newcomer: Contact | null },
): PlannedDelivery[] {
  const recipients: { role: RecipientRole; recipientId: string; contact: Contact | null; counterpartId: string }[] = [
    { role: 'peer', recipientId: match.peerId, contact: contacts.peer, counterpartId: match.newcomerId },
    { role: 'newcomer', recipientId: match.newcomerId, contact: contacts.newcomer, counterpartId: match.peerId },
  ];
  return recipients.flatMap(({ role, recipientId, contact, counterpartId }) =>
    CHANNELS.map((channel) => ({
      deliveryId: deliveryIdFor(match.matchId, recipientId, channel),
      matchId: match.matchId,
      recipientId,
      role,
      channel,
      counterpartId,
      decision: decide(contact, channel),
    })),
  );
}

/** A recipient none of whose channels can be used: the introduction cannot reach them at all. */
export function unreachableRecipients(plan: readonly PlannedDelivery[]): string[] {
  const byRecipient = new Map<string, boolean>();
  for (const delivery of plan) {
    byRecipient.set(delivery.recipientId, (byRecipient.get(delivery.recipientId) ?? false) || delivery.decision.kind === 'send');
  }
  return [...byRecipient].filter(([, reachable]) => !reachable).map(([id]) => id);
}
