import type { Logger } from '@kindred/platform';
import { introductionFailed } from '../adapters/delivery-events.js';
import type { DeliveryDocument, DeliveryLedger } from '../data-access/delivery-ledger.repository.js';
import type { ApprovedMatch } from '../domain/delivery.types.js';
import { planIntroduction, unreachableRecipients, type PlannedDelivery } from '../domain/plan-introduction.js';
import type { Clock } from '../ports/clock.port.js';
import type { ContactLookup } from '../ports/contact-lookup.port.js';
import type { EmailOptOuts } from '../ports/email-opt-outs.port.js';
import type { Contact } from '../domain/delivery.types.js';

export interface IntroduceMatchDeps {
  readonly contacts: ContactLookup;
  readonly ledger: DeliveryLedger;
  readonly optOuts: EmailOptOuts;
  /** Puts the queued deliveries on their channel queues (job id = delivery id, payload = ids only). */
  readonly enqueue: (deliveries: readonly DeliveryDocument[]) => Promise<void>;
  readonly clock: Clock;
  readonly deliveriesTopic: string;
}

/** A person who used the List-Unsubscribe link counts as not consenting to email. */
export async function withOptOuts(optOuts: EmailOptOuts, contact: Contact | null): Promise<Contact | null> {
  if (contact === null || !contact.consents.email || !(await optOuts.has(contact.subjectId))) return contact;
  return { ...contact, consents: { ...contact.consents, email: false } };
}

/**
 * An approved match becomes deliveries: planned from the recipients' consents, written to the ledger first, then
 * queued. Running it again for the same match (a replayed event, a second consumer) writes nothing new and only
 * re-queues what is still queued, which the send step's claim makes harmless.
 */
export async function introduceMatch(
  deps: IntroduceMatchDeps,
  match: ApprovedMatch,
  traceparent: string,
  log: Logger,
): Promise<{ queued: number; suppressed: number }> {
  const [peer, newcomer] = await Promise.all([
    deps.contacts.getContact(match.peerId, 'introduction_planning', match.matchId).then((contact) => withOptOuts(deps.optOuts, contact)),
    deps.contacts.getContact(match.newcomerId, 'introduction_planning', match.matchId).then((contact) => withOptOuts(deps.optOuts, contact)),
  ]);
  const plan = planIntroduction(match, { peer, newcomer });
  const unreachable = new Set(unreachableRecipients(plan));
  const now = deps.clock.now();
  // A recipient who can be reached on no channel makes the introduction fail: one event says so, on their first delivery.
  const failureCarrier = new Map<string, PlannedDelivery>();
  for (const delivery of plan) {
    if (unreachable.has(delivery.recipientId) && !failureCarrier.has(delivery.recipientId)) failureCarrier.set(delivery.recipientId, delivery);
  }
  const stored = await deps.ledger.recordPlanned(plan, {
    sharedTopics: match.sharedTopics,
    shareTopicsConsented: match.shareTopicsConsented,
    traceparent,
    now,
    outboxFor: (delivery) => {
      if (failureCarrier.get(delivery.recipientId) !== delivery || delivery.decision.kind !== 'suppress') return [];
      const reason = delivery.decision.reason;
      return [
        introductionFailed(
          { _id: delivery.deliveryId, matchId: delivery.matchId, recipientId: delivery.recipientId, role: delivery.role, channel: delivery.channel, traceparent },
          { permanent: true, code: reason, reason: 'recipient cannot be reached on any consented channel' },
          now,
          deps.deliveriesTopic,
        ),
      ];
    },
  });
  const queued = stored.filter((delivery) => delivery.status === 'queued');
  await deps.enqueue(queued);
  const suppressed = stored.filter((delivery) => delivery.status === 'suppressed').length;
  log.info({ matchId: match.matchId, queued: queued.length, suppressed }, 'introduction planned');
  return { queued: queued.length, suppressed };
}
