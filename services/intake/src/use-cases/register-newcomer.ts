import { ulid } from 'ulid';
import type { TraceContext } from '@kindred/platform';
import type { CountryCode } from 'libphonenumber-js';
import { toWeeklyWindows } from '../domain/availability.js';
import type { BlindIndex } from '../domain/field-crypto.js';
import { toE164, type NewcomerIntake } from '../domain/intake.schemas.js';
import { screenRisk, type ScreeningOutcome } from '../domain/safety-screener.js';
import type { NewcomerProfile, SubjectKind } from '../domain/subject.js';
import type { NewcomerDocument } from '../data-access/subject.documents.js';
import type { SubjectRepository } from '../data-access/subject.repository.js';
import type { EventFactory } from '../events/intake-event.factory.js';
import { idempotencyKeyReused, requestHash, storedIdempotencyKey } from './idempotency.js';
import type { SubjectVault } from './subject-vault.js';

export interface NewcomerRegistration {
  readonly newcomerId: string;
  readonly screening: ScreeningOutcome;
  readonly region: string | undefined;
  readonly locale: 'en' | 'es';
  /** True when this answers a retry of an earlier request (same Idempotency-Key and body). */
  readonly replayed: boolean;
}

export interface RegisterNewcomerDeps {
  readonly subjects: SubjectRepository;
  readonly vault: SubjectVault;
  readonly blindIndex: BlindIndex;
  readonly events: EventFactory;
  readonly phoneCountry: CountryCode;
  /** Tells the relay which document has new events, so it need not search for it. */
  readonly afterWrite: (kind: SubjectKind, id: string) => void;
}

function registrationOf(doc: NewcomerDocument, replayed: boolean): NewcomerRegistration {
  const screening = doc.screening ?? { riskLevel: 'none', urgent: false };
  return {
    newcomerId: doc._id,
    screening: { ...screening, showCrisisResources: screening.riskLevel === 'imminent' || screening.riskLevel === 'moderate' },
    region: doc.profile?.region,
    locale: doc.profile?.locale ?? 'en',
    replayed,
  };
}

/**
 * Screens the answers synchronously (the response must show crisis resources at once), seals the PII under a new
 * subject key, and stores the newcomer with its NewcomerRegistered event in one write. A retried request with the
 * same Idempotency-Key returns the first registration and creates nothing.
 */
export function createRegisterNewcomer(deps: RegisterNewcomerDeps) {
  return async (input: NewcomerIntake, context: { idempotencyKey: string | undefined; trace: TraceContext }): Promise<NewcomerRegistration> => {
    const hash = requestHash(input);
    const replay = async (): Promise<NewcomerRegistration | undefined> => {
      if (context.idempotencyKey === undefined) return undefined;
      const existing = await deps.subjects.findByIdempotencyKey('newcomer', storedIdempotencyKey(context.idempotencyKey, ''));
      if (!existing) return undefined;
      if (existing.requestHash !== hash) throw idempotencyKeyReused();
      return registrationOf(existing, true);
    };
    const earlier = await replay();
    if (earlier) return earlier;

    const newcomerId = ulid();
    const now = new Date();
    const screening = screenRisk(input.screener);
    const phone = input.contact.phone === undefined ? undefined : toE164(input.contact.phone, deps.phoneCountry);
    const profile: NewcomerProfile = {
      preferredChannel: input.preferredChannel,
      locale: input.locale ?? 'en',
      timeZone: input.timeZone,
      languages: input.languages,
      ageBand: input.ageBand,
      ...(input.gender === undefined ? {} : { gender: input.gender }),
      genderPreference: { kind: input.genderPreference.kind, genders: input.genderPreference.genders ?? [], mustHave: input.genderPreference.mustHave },
      topics: input.topics,
      meetingModes: input.meetingModes,
      ...(input.region === undefined ? {} : { region: input.region }),
      availability: toWeeklyWindows(input.availability),
      ...(input.recoveryStartedOn === undefined ? {} : { recoveryStartedOn: input.recoveryStartedOn }),
    };
    const sealer = await deps.vault.create(newcomerId);
    const doc: Omit<NewcomerDocument, 'outbox' | 'outboxSeq' | 'outboxSentSeq' | 'outboxPending' | 'leaseUntil' | 'version'> = {
      _id: newcomerId,
      kind: 'newcomer',
      idempotencyKey: storedIdempotencyKey(context.idempotencyKey, newcomerId),
      requestHash: hash,
      createdAt: now,
      updatedAt: now,
      pii: sealer.seal({ firstName: input.firstName, email: input.contact.email, phone, hopes: input.hopes, screener: JSON.stringify(input.screener) }),
      ...(input.contact.email === undefined ? {} : { emailIndex: deps.blindIndex.email(input.contact.email) }),
      ...(phone === undefined ? {} : { phoneIndex: deps.blindIndex.phone(phone) }),
      profile,
      consents: {
        email: input.consents.contactByEmail,
        sms: input.consents.contactBySms,
        shareFirstName: input.consents.shareFirstName,
        shareTopics: input.consents.shareTopics,
        noticeVersion: input.consents.noticeVersion,
        consentedAt: now,
      },
      screening: { riskLevel: screening.riskLevel, urgent: screening.urgent },
    };
    const event = deps.events.newcomerRegistered({
      newcomerId,
      profile,
      screening,
      consentShareTopics: input.consents.shareTopics,
      registeredAt: now,
      trace: context.trace,
    });
    const outcome = await deps.subjects.insert('newcomer', doc, [event]);
    if (outcome === 'duplicate') {
      // A concurrent retry with the same key won the race: ours never existed.
      await deps.vault.destroy(newcomerId);
      const winner = await replay();
      if (winner) return winner;
      throw new Error('duplicate idempotency key but no document holds it');
    }
    deps.afterWrite('newcomer', newcomerId);
    return { newcomerId, screening, region: input.region, locale: profile.locale, replayed: false };
  };
}

export type RegisterNewcomer = ReturnType<typeof createRegisterNewcomer>;
