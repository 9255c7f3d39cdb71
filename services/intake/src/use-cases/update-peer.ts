import { timingSafeEqual } from 'node:crypto';
import { AppError, type TraceContext } from '@kindred/platform';
import { toWeeklyWindows } from '../domain/availability.js';
import { crossFieldIssues, toE164, type PeerUpdate } from '../domain/intake.schemas.js';
import { pathToField, type FieldError } from '../domain/validation.js';
import type { ConsentRecord, PeerProfile } from '../domain/subject.js';
import type { PendingEvent } from '../events/intake-event.factory.js';
import { hashToken, peerConsented, peerProfileFrom, type PeerUseCaseDeps } from './enroll-peer.js';

export interface PeerUpdateResult {
  readonly peerId: string;
  readonly active: boolean;
  readonly pausedUntil: string | undefined;
}

export class PeerUpdateInvalid extends AppError {
  constructor(readonly errors: readonly FieldError[]) {
    super('INTAKE.VALIDATION_FAILED', 'The update would leave the profile invalid', { details: { fields: errors.map((e) => e.field) } });
  }
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Applies a change to a peer's profile: the merged profile must pass the same cross-field rules as an enrollment.
 * The full profile goes out as PeerProfileUpserted (consumers upsert), preceded by PeerPaused or PeerResumed when
 * the availability changed — all in the one conditional write.
 */
export function createUpdatePeer(deps: PeerUseCaseDeps) {
  return async (peerId: string, editToken: string | undefined, input: PeerUpdate, context: { trace: TraceContext }): Promise<PeerUpdateResult> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await deps.subjects.findById('peer', peerId);
      if (!doc || doc.erasedAt !== undefined || !doc.profile || !doc.consents) {
        throw new AppError('INTAKE.PEER_NOT_FOUND', 'No such peer');
      }
      if (editToken === undefined || doc.editTokenHash === undefined || !sameHash(hashToken(editToken), doc.editTokenHash)) {
        throw new AppError('INTAKE.UNAUTHORIZED', 'A valid edit token is required to change this profile');
      }
      const current = doc.profile;
      const phone = input.contact?.phone === undefined ? undefined : toE164(input.contact.phone, deps.phoneCountry);
      const hasEmail = input.contact ? input.contact.email !== undefined : doc.pii?.email !== undefined;
      const hasPhone = input.contact ? phone !== undefined : doc.pii?.phone !== undefined;
      const consents: ConsentRecord = input.consents
        ? {
            email: input.consents.contactByEmail,
            sms: input.consents.contactBySms,
            shareFirstName: input.consents.shareFirstName,
            shareTopics: input.consents.shareTopics,
            noticeVersion: input.consents.noticeVersion,
            consentedAt: new Date(),
          }
        : doc.consents;
      const merged = {
        preferredChannel: input.preferredChannel ?? current.preferredChannel,
        locale: input.locale ?? current.locale,
        timeZone: input.timeZone ?? current.timeZone,
        languages: input.languages ?? [...current.languages],
        ageBand: input.ageBand ?? current.ageBand,
        gender: input.gender ?? current.gender,
        topics: input.topics ?? [...current.topics],
        meetingModes: input.meetingModes ?? [...current.meetingModes],
        region: input.region ?? current.region,
        recoveryStartedOn: input.recoveryStartedOn ?? current.recoveryStartedOn,
        capacity: input.capacity ?? current.capacity,
        certified: input.certified ?? current.certified,
      };
      const issues = crossFieldIssues({
        ...merged,
        contact: { email: hasEmail ? 'present' : undefined, phone: hasPhone ? 'present' : undefined },
        consents: { contactByEmail: consents.email, contactBySms: consents.sms },
      });
      if (issues.length > 0) throw new PeerUpdateInvalid(issues.map((i) => ({ field: pathToField(i.path), code: i.code, message: i.message })));

      let pausedUntil = current.pausedUntil;
      let pauseReason = current.pauseReason;
      if (input.pause) {
        pausedUntil = input.pause.until;
        pauseReason = input.pause.reason;
      } else if (input.resume) {
        pausedUntil = undefined;
        pauseReason = undefined;
      }
      const availability = input.availability ? toWeeklyWindows(input.availability) : current.availability;
      const profile: PeerProfile = peerProfileFrom(merged, availability, { active: input.active ?? current.active, pausedUntil, pauseReason });

      const events: PendingEvent[] = [];
      if (input.pause) events.push(deps.events.peerPaused({ peerId, until: input.pause.until, reasonCode: input.pause.reason, trace: context.trace }));
      if (input.resume && current.pausedUntil !== undefined) events.push(deps.events.peerResumed({ peerId, trace: context.trace }));
      events.push(deps.events.peerProfileUpserted({ peerId, profile, consented: peerConsented(profile, consents), trace: context.trace }));

      const set: Record<string, unknown> = { profile, consents };
      const unset: string[] = [];
      const sealer = input.firstName !== undefined || input.contact !== undefined || input.bio !== undefined ? await deps.vault.open(peerId) : undefined;
      if (sealer) {
        const sealed = sealer.seal({ firstName: input.firstName, bio: input.bio });
        for (const [field, value] of Object.entries(sealed)) set[`pii.${field}`] = value;
        if (input.contact) {
          const contact = sealer.seal({ email: input.contact.email, phone });
          if (contact.email !== undefined) {
            set['pii.email'] = contact.email;
            set['emailIndex'] = deps.blindIndex.email(input.contact.email ?? '');
          } else unset.push('pii.email', 'emailIndex');
          if (contact.phone !== undefined && phone !== undefined) {
            set['pii.phone'] = contact.phone;
            set['phoneIndex'] = deps.blindIndex.phone(phone);
          } else unset.push('pii.phone', 'phoneIndex');
        }
      }
      if (await deps.subjects.updateAtVersion('peer', doc, { set, unset }, events)) {
        deps.afterWrite('peer', peerId);
        return { peerId, active: profile.active, pausedUntil: profile.pausedUntil };
      }
    }
    throw new AppError('INTAKE.CONCURRENT_UPDATE', 'The profile kept changing; try again', { retriable: true });
  };
}

export type UpdatePeer = ReturnType<typeof createUpdatePeer>;
