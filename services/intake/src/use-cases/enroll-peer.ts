import { createHash, randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { TraceContext } from '@kindred/platform';
import type { CountryCode } from 'libphonenumber-js';
import { toWeeklyWindows, type WeeklyWindow } from '../domain/availability.js';
import type { BlindIndex } from '../domain/field-crypto.js';
import { toE164, type PeerEnrollment } from '../domain/intake.schemas.js';
import type { ConsentRecord, PeerProfile, SubjectKind } from '../domain/subject.js';
import type { PeerDocument } from '../data-access/subject.documents.js';
import type { SubjectRepository } from '../data-access/subject.repository.js';
import type { EventFactory } from '../events/intake-event.factory.js';
import { idempotencyKeyReused, requestHash, storedIdempotencyKey } from './idempotency.js';
import type { SubjectVault } from './subject-vault.js';

export interface PeerEnrollmentResult {
  readonly peerId: string;
  /** Lets the peer change their profile later (PUT /v1/peers/:id); shown once, stored only as a hash. */
  readonly editToken: string | undefined;
  readonly replayed: boolean;
}

export interface PeerUseCaseDeps {
  readonly subjects: SubjectRepository;
  readonly vault: SubjectVault;
  readonly blindIndex: BlindIndex;
  readonly events: EventFactory;
  readonly phoneCountry: CountryCode;
  readonly afterWrite: (kind: SubjectKind, id: string) => void;
}

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A peer may be matched and contacted once they agreed to be contacted on their preferred channel. */
export function peerConsented(profile: Pick<PeerProfile, 'preferredChannel'>, consents: Pick<ConsentRecord, 'email' | 'sms'>): boolean {
  return profile.preferredChannel === 'email' ? consents.email : consents.sms;
}

export function peerProfileFrom(
  input: Omit<PeerEnrollment, 'firstName' | 'contact' | 'bio' | 'consents' | 'availability'>,
  availability: readonly WeeklyWindow[],
  state: { active: boolean; pausedUntil?: string | undefined; pauseReason?: PeerProfile['pauseReason'] | undefined },
): PeerProfile {
  return {
    preferredChannel: input.preferredChannel,
    locale: input.locale ?? 'en',
    timeZone: input.timeZone,
    languages: input.languages,
    ageBand: input.ageBand,
    gender: input.gender,
    topics: input.topics,
    meetingModes: input.meetingModes,
    ...(input.region === undefined ? {} : { region: input.region }),
    availability,
    recoveryStartedOn: input.recoveryStartedOn,
    capacity: input.capacity,
    certified: input.certified,
    active: state.active,
    ...(state.pausedUntil === undefined ? {} : { pausedUntil: state.pausedUntil }),
    ...(state.pauseReason === undefined ? {} : { pauseReason: state.pauseReason }),
  };
}

export function createEnrollPeer(deps: PeerUseCaseDeps) {
  return async (input: PeerEnrollment, context: { idempotencyKey: string | undefined; trace: TraceContext }): Promise<PeerEnrollmentResult> => {
    const hash = requestHash(input);
    const replay = async (): Promise<PeerEnrollmentResult | undefined> => {
      if (context.idempotencyKey === undefined) return undefined;
      const existing = await deps.subjects.findByIdempotencyKey('peer', storedIdempotencyKey(context.idempotencyKey, ''));
      if (!existing) return undefined;
      if (existing.requestHash !== hash) throw idempotencyKeyReused();
      // The token was shown once; a replay cannot show it again (only its hash is stored).
      return { peerId: existing._id, editToken: undefined, replayed: true };
    };
    const earlier = await replay();
    if (earlier) return earlier;

    const peerId = ulid();
    const now = new Date();
    const editToken = randomBytes(32).toString('base64url');
    const phone = input.contact.phone === undefined ? undefined : toE164(input.contact.phone, deps.phoneCountry);
    const profile = peerProfileFrom(input, toWeeklyWindows(input.availability), { active: true });
    const consents: ConsentRecord = {
      email: input.consents.contactByEmail,
      sms: input.consents.contactBySms,
      shareFirstName: input.consents.shareFirstName,
      shareTopics: input.consents.shareTopics,
      noticeVersion: input.consents.noticeVersion,
      consentedAt: now,
    };
    const sealer = await deps.vault.create(peerId);
    const doc: Omit<PeerDocument, 'outbox' | 'outboxSeq' | 'outboxSentSeq' | 'outboxPending' | 'leaseUntil' | 'version'> = {
      _id: peerId,
      kind: 'peer',
      idempotencyKey: storedIdempotencyKey(context.idempotencyKey, peerId),
      requestHash: hash,
      editTokenHash: hashToken(editToken),
      createdAt: now,
      updatedAt: now,
      pii: sealer.seal({ firstName: input.firstName, email: input.contact.email, phone, bio: input.bio }),
      ...(input.contact.email === undefined ? {} : { emailIndex: deps.blindIndex.email(input.contact.email) }),
      ...(phone === undefined ? {} : { phoneIndex: deps.blindIndex.phone(phone) }),
      profile,
      consents,
    };
    const event = deps.events.peerProfileUpserted({ peerId, profile, consented: peerConsented(profile, consents), trace: context.trace });
    if ((await deps.subjects.insert('peer', doc, [event])) === 'duplicate') {
      await deps.vault.destroy(peerId);
      const winner = await replay();
      if (winner) return winner;
      throw new Error('duplicate idempotency key but no document holds it');
    }
    deps.afterWrite('peer', peerId);
    return { peerId, editToken, replayed: false };
  };
}

export type EnrollPeer = ReturnType<typeof createEnrollPeer>;
