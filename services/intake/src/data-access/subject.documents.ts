import type { Binary } from 'mongodb';
import type { ConsentRecord, NewcomerProfile, PeerProfile, PiiField, ScreeningRecord, SubjectKind } from '../domain/subject.js';

/** One event waiting in its aggregate's document until the relay has published it. */
export interface OutboxEntry {
  readonly eventId: string;
  /** Position in the aggregate's event stream: the relay publishes in this order. */
  readonly seq: number;
  readonly type: string;
  readonly topic: string;
  readonly key: string;
  readonly value: Binary;
  readonly headers: Record<string, string>;
}

/**
 * The outbox lives inside the aggregate's own document, so a state change and its events are one atomic write
 * (FerretDB has no transactions). Events with `seq > outboxSentSeq` are pending.
 */
export interface OutboxFields {
  outbox: OutboxEntry[];
  outboxSeq: number;
  outboxSentSeq: number;
  outboxPending: boolean;
  /** A relay works on a document only while it holds the lease; a dead relay's lease simply expires. */
  leaseUntil: Date;
  leaseOwner?: string;
}

/** Sealed PII (see domain/field-crypto): `v1:iv:ciphertext:tag`, bound to the subject id and the field name. */
export type SealedPii = Partial<Record<PiiField, string>>;

interface SubjectDocumentBase extends OutboxFields {
  _id: string;
  version: number;
  /** `k:<Idempotency-Key>` or `auto:<id>`: unique, so a retried POST can never create a second subject. */
  idempotencyKey: string;
  /** SHA-256 of the canonical request body: the same key with another body is refused. */
  requestHash: string;
  createdAt: Date;
  updatedAt: Date;
  pii?: SealedPii;
  /** Blind indexes (HMAC) of the normalised email and E.164 phone. */
  emailIndex?: string;
  phoneIndex?: string;
  consents?: ConsentRecord & { smsChangedAt?: Date; smsSource?: string };
  erasedAt?: Date;
}

export interface NewcomerDocument extends SubjectDocumentBase {
  kind: 'newcomer';
  profile?: NewcomerProfile;
  screening?: ScreeningRecord;
}

export interface PeerDocument extends SubjectDocumentBase {
  kind: 'peer';
  profile?: PeerProfile;
  /** SHA-256 of the token that lets the peer change their profile. */
  editTokenHash?: string;
}

export type SubjectDocument = NewcomerDocument | PeerDocument;

export const collectionOf: Readonly<Record<SubjectKind, string>> = { newcomer: 'newcomers', peer: 'peers' };
