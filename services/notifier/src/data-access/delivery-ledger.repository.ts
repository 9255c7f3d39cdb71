import type { mongo } from 'mongoose';
import type { Channel, DeliveryStatus, RecipientRole, TopicKey } from '../domain/delivery.types.js';
import type { PlannedDelivery } from '../domain/plan-introduction.js';

/** An event waiting in the ledger document that caused it, published by the outbox relay. */
export interface OutboxEntry {
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  /** The encoded envelope, base64 (a plain string survives every MongoDB-wire server alike). */
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** One (match, recipient, channel): the idempotency record of the notifier. Holds ids only, never contact data. */
export interface DeliveryDocument {
  _id: string;
  matchId: string;
  recipientId: string;
  role: RecipientRole;
  channel: Channel;
  counterpartId: string;
  sharedTopics: TopicKey[];
  shareTopicsConsented: boolean;
  status: DeliveryStatus;
  /** Why it was suppressed or failed ("no_consent", "smtp_550"). */
  reason: string | null;
  /** Claims taken (one per send attempt), across every BullMQ job this delivery had. */
  attempts: number;
  /** Times the sweeper re-queued it; also names its current BullMQ job (see `deliveryJobIdOf`). Absent on old documents. */
  sweeps?: number;
  claimToken: string | null;
  claimedUntil: Date | null;
  providerMessageId: string | null;
  notBefore: Date | null;
  /** When the provider accepted it (null until then). */
  sentAt: Date | null;
  traceparent: string;
  outbox: OutboxEntry[];
  /** Bumped by every write that touches `outbox`, so the relay clears only what it published. */
  outboxVersion: number;
  outboxPending: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryLedger {
  /** Records planned deliveries (the first write wins; replays change nothing) and returns them as stored. */
  recordPlanned(
    planned: readonly PlannedDelivery[],
    extra: {
      sharedTopics: readonly TopicKey[];
      shareTopicsConsented: boolean;
      traceparent: string;
      now: Date;
      outboxFor: (planned: PlannedDelivery) => OutboxEntry[];
    },
  ): Promise<DeliveryDocument[]>;
  get(deliveryId: string): Promise<DeliveryDocument | null>;
  findByMatches(matchIds: readonly string[]): Promise<DeliveryDocument[]>;
  /**
   * Takes the right to call the provider: queued → sending, or a `sending` whose lease ran out (its worker died).
   * Null when someone else holds it or it is already done.
   */
  claim(deliveryId: string, token: string, now: Date, leaseMs: number): Promise<DeliveryDocument | null>;
  /** sending → queued, for a later attempt (transient failure, quiet hours). */
  release(deliveryId: string, token: string, now: Date, notBefore: Date | null, reason: string | null): Promise<boolean>;
  /** sending → sent with the provider's id, and the event that says so. */
  markSent(deliveryId: string, token: string, providerMessageId: string, now: Date, event: OutboxEntry): Promise<boolean>;
  /** sending → failed or suppressed (consent withdrawn meanwhile), with the event that says so. */
  markFinal(
    deliveryId: string,
    token: string,
    status: 'failed' | 'suppressed',
    reason: string,
    now: Date,
    event: OutboxEntry | null,
  ): Promise<boolean>;
  /**
   * Applies a provider status report (sent → delivered/undelivered/failed); later states never move back. A report
   * for a delivery still `sending` (its worker has not written the provider id yet, or died before it could) records
   * the provider id too, which closes the resend window for that delivery.
   */
  recordProviderStatus(
    deliveryId: string,
    providerMessageId: string,
    status: 'sent' | 'delivered' | 'undelivered' | 'failed',
    reason: string | null,
    now: Date,
    eventFor: (delivery: DeliveryDocument) => OutboxEntry | null,
  ): Promise<DeliveryDocument | null>;
  pendingOutbox(limit: number): Promise<DeliveryDocument[]>;
  /** Clears the outbox if no event was added since `version` was read. */
  clearOutbox(deliveryId: string, version: number): Promise<boolean>;
  countByStatus(): Promise<Record<string, number>>;
  /**
   * Deliveries that should be moving and may not be: `queued` untouched since `queuedBefore` and not deferred past
   * `now`, and `sending` whose lease ran out before `now`.
   */
  findStuck(now: Date, queuedBefore: Date, limit: number): Promise<DeliveryDocument[]>;
  /**
   * Back to `queued` with one more sweep, if the delivery is still exactly as read (status, claim and `updatedAt`):
   * of several sweepers that read it, one wins. Returns the document after the write, or null when it lost.
   */
  requeueStuck(read: DeliveryDocument, reason: string, now: Date): Promise<DeliveryDocument | null>;
  /** `failed` for good with its event, under the same condition as `requeueStuck`. */
  failStuck(read: DeliveryDocument, reason: string, now: Date, event: OutboxEntry): Promise<boolean>;
  ensureIndexes(): Promise<void>;
}

/** Which provider reports may follow which state. */
const PROVIDER_STATUS_FROM: Readonly<Record<'sent' | 'delivered' | 'undelivered' | 'failed', readonly DeliveryStatus[]>> = {
  sent: ['sending', 'queued'],
  delivered: ['sending', 'queued', 'sent'],
  undelivered: ['sending', 'queued', 'sent'],
  failed: ['sending', 'queued', 'sent'],
};

export function mongoDeliveryLedger(db: mongo.Db, collectionName = 'deliveries'): DeliveryLedger {
  const deliveries: mongo.Collection<DeliveryDocument> = db.collection<DeliveryDocument>(collectionName);

  return {
    async ensureIndexes() {
      await deliveries.createIndex({ matchId: 1, recipientId: 1, channel: 1 }, { unique: true, name: 'match_recipient_channel' });
      await deliveries.createIndex({ providerMessageId: 1 }, { name: 'provider_message_id' });
      await deliveries.createIndex({ outboxPending: 1 }, { name: 'outbox_pending' });
      await deliveries.createIndex({ status: 1, updatedAt: 1 }, { name: 'status_updated_at' });
    },

    async recordPlanned(planned, extra) {
      await Promise.all(
        planned.map(async (delivery) => {
          const outbox = extra.outboxFor(delivery);
          const document: DeliveryDocument = {
            _id: delivery.deliveryId,
            matchId: delivery.matchId,
            recipientId: delivery.recipientId,
            role: delivery.role,
            channel: delivery.channel,
            counterpartId: delivery.counterpartId,
            sharedTopics: [...extra.sharedTopics],
            shareTopicsConsented: extra.shareTopicsConsented,
            status: delivery.decision.kind === 'send' ? 'queued' : 'suppressed',
            reason: delivery.decision.kind === 'send' ? null : delivery.decision.reason,
            attempts: 0,
            sweeps: 0,
            claimToken: null,
            claimedUntil: null,
            providerMessageId: null,
            notBefore: null,
            sentAt: null,
            traceparent: extra.traceparent,
            outbox,
            outboxVersion: 0,
            outboxPending: outbox.length > 0,
            createdAt: extra.now,
            updatedAt: extra.now,
          };
          // Keyed by the unique (match, recipient, channel): a replay or a second consumer finds it and writes nothing.
          await deliveries.updateOne(
            { matchId: delivery.matchId, recipientId: delivery.recipientId, channel: delivery.channel },
            { $setOnInsert: document },
            { upsert: true },
          ).catch((error: unknown) => {
            // Two writers upserting the same key at once: one inserts, the other meets the unique index. Both fine.
            if ((error as { code?: unknown }).code !== 11000) throw error;
          });
        }),
      );
      return deliveries.find({ _id: { $in: planned.map((d) => d.deliveryId) } }).toArray();
    },

    get: (deliveryId) => deliveries.findOne({ _id: deliveryId }),

    findByMatches: (matchIds) => deliveries.find({ matchId: { $in: [...matchIds] } }).toArray(),

    claim: (deliveryId, token, now, leaseMs) =>
      deliveries.findOneAndUpdate(
        { _id: deliveryId, $or: [{ status: 'queued' }, { status: 'sending', claimedUntil: { $lt: now } }] },
        {
          $set: { status: 'sending', claimToken: token, claimedUntil: new Date(now.getTime() + leaseMs), updatedAt: now },
          $inc: { attempts: 1 },
        },
        { returnDocument: 'after' },
      ),

    async release(deliveryId, token, now, notBefore, reason) {
      const result = await deliveries.updateOne(
        { _id: deliveryId, status: 'sending', claimToken: token },
        { $set: { status: 'queued', claimToken: null, claimedUntil: null, notBefore, reason, updatedAt: now } },
      );
      return result.modifiedCount === 1;
    },

    async markSent(deliveryId, token, providerMessageId, now, event) {
      // A status callback may have recorded this very message first: then there is nothing left to write.
      const result = await deliveries.updateOne(
        { _id: deliveryId, status: 'sending', claimToken: token },
        {
          $set: { status: 'sent', providerMessageId, claimToken: null, claimedUntil: null, reason: null, notBefore: null, sentAt: now, updatedAt: now, outboxPending: true },
          $push: { outbox: event },
          $inc: { outboxVersion: 1 },
        },
      );
      return result.modifiedCount === 1;
    },

    async markFinal(deliveryId, token, status, reason, now, event) {
      const update = {
        $set: { status, reason, claimToken: null, claimedUntil: null, updatedAt: now, ...(event ? { outboxPending: true } : {}) },
        ...(event ? { $push: { outbox: event }, $inc: { outboxVersion: 1 } } : {}),
      };
      const result = await deliveries.updateOne({ _id: deliveryId, status: 'sending', claimToken: token }, update);
      return result.modifiedCount === 1;
    },

    async recordProviderStatus(deliveryId, providerMessageId, status, reason, now, eventFor) {
      const current = await deliveries.findOne({ _id: deliveryId });
      if (!current || !PROVIDER_STATUS_FROM[status].includes(current.status)) return null;
      if (current.providerMessageId !== null && current.providerMessageId !== providerMessageId) return null;
      const event = eventFor(current);
      return deliveries.findOneAndUpdate(
        // Conditional on what was read: a concurrent worker or callback that moved it first wins.
        { _id: current._id, status: current.status, providerMessageId: current.providerMessageId },
        {
          $set: {
            status,
            reason,
            providerMessageId,
            claimToken: null,
            claimedUntil: null,
            sentAt: current.sentAt ?? now,
            updatedAt: now,
            ...(event ? { outboxPending: true } : {}),
          },
          ...(event ? { $push: { outbox: event }, $inc: { outboxVersion: 1 } } : {}),
        },
        { returnDocument: 'after' },
      );
    },

    pendingOutbox: (limit) => deliveries.find({ outboxPending: true }).limit(limit).toArray(),

    async clearOutbox(deliveryId, version) {
      const result = await deliveries.updateOne(
        { _id: deliveryId, outboxVersion: version },
        { $set: { outbox: [], outboxPending: false }, $inc: { outboxVersion: 1 } },
      );
      return result.modifiedCount === 1;
    },

    async findStuck(now, queuedBefore, limit) {
      const [queued, sending] = await Promise.all([
        deliveries
          .find({ status: 'queued', updatedAt: { $lt: queuedBefore }, $or: [{ notBefore: null }, { notBefore: { $lte: now } }] })
          .sort({ updatedAt: 1 })
          .limit(limit)
          .toArray(),
        deliveries.find({ status: 'sending', claimedUntil: { $lt: now } }).sort({ claimedUntil: 1 }).limit(limit).toArray(),
      ]);
      return [...queued, ...sending];
    },

    requeueStuck: (read, reason, now) =>
      deliveries.findOneAndUpdate(
        { _id: read._id, status: read.status, claimToken: read.claimToken, updatedAt: read.updatedAt },
        { $set: { status: 'queued', claimToken: null, claimedUntil: null, reason, updatedAt: now }, $inc: { sweeps: 1 } },
        { returnDocument: 'after' },
      ),

    async failStuck(read, reason, now, event) {
      const result = await deliveries.updateOne(
        { _id: read._id, status: read.status, claimToken: read.claimToken, updatedAt: read.updatedAt },
        {
          $set: { status: 'failed', reason, claimToken: null, claimedUntil: null, updatedAt: now, outboxPending: true },
          $push: { outbox: event },
          $inc: { outboxVersion: 1 },
        },
      );
      return result.modifiedCount === 1;
    },

    async countByStatus() {
      const rows = await deliveries.aggregate<{ _id: string; count: number }>([{ $group: { _id: '$status', count: { $sum: 1 } } }]).toArray();
      return Object.fromEntries(rows.map((row) => [row._id, row.count]));
    },
  };
}
