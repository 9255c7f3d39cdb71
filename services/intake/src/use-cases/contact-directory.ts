import { activeTraceContext, AppError } from '@kindred/platform';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import type { BlindIndex } from '../domain/field-crypto.js';
import type { Channel, Locale } from '../domain/vocabulary.js';
import type { ConsentRecord, SubjectKind } from '../domain/subject.js';
import type { SubjectRepository } from '../data-access/subject.repository.js';
import type { DirectoryAuditRepository } from '../data-access/directory-audit.repository.js';
import type { EventFactory } from '../events/intake-event.factory.js';
import { peerConsented } from './enroll-peer.js';
import type { SubjectVault } from './subject-vault.js';

export interface Contact {
  readonly subjectId: string;
  readonly kind: SubjectKind;
  readonly firstName: string;
  readonly email: string | undefined;
  readonly phoneE164: string | undefined;
  readonly preferredChannel: Channel;
  readonly locale: Locale;
  readonly timeZone: string;
  readonly consents: ConsentRecord;
}

const lowerSnake = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Contact details at send time, for the notifier. Every read is audited (caller, subject, purpose, reference,
 * time) before the details are returned; if the audit cannot be written, nothing is returned.
 */
export function createContactDirectory(deps: {
  subjects: SubjectRepository;
  vault: SubjectVault;
  blindIndex: BlindIndex;
  audit: DirectoryAuditRepository;
  events: EventFactory;
  afterWrite: (kind: SubjectKind, id: string) => void;
}) {
  /**
   * A peer's SMS consent decides whether they can still be contacted when SMS is their channel, so matching hears
   * of it through a PeerProfileUpserted written with the change; a newcomer's only matters to the notifier.
   */
  const setPeerSmsConsent = async (id: string, consented: boolean, source: string, at: Date): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await deps.subjects.findById('peer', id);
      if (!doc?.profile || !doc.consents || doc.erasedAt !== undefined) return;
      const consents = { ...doc.consents, sms: consented };
      const event = deps.events.peerProfileUpserted({ peerId: id, profile: doc.profile, consented: peerConsented(doc.profile, consents), trace: activeTraceContext() });
      const set = { 'consents.sms': consented, 'consents.smsChangedAt': at, 'consents.smsSource': source };
      if (await deps.subjects.updateAtVersion('peer', doc, { set }, [event])) {
        deps.afterWrite('peer', id);
        return;
      }
    }
    throw new AppError('INTAKE.CONCURRENT_UPDATE', 'The peer kept changing; try again', { retriable: true });
  };

  return {
    async getContact(caller: string, request: { subjectId: string; purpose: string; referenceId: string }): Promise<Contact> {
      if (request.subjectId === '' || request.subjectId.length > 64 || !lowerSnake.test(request.purpose) || request.referenceId.length > 128) {
        await deps.audit.record({ action: 'get_contact', caller, subjectIds: [], outcome: 'invalid_argument' });
        throw new AppError('INTAKE.INVALID_ARGUMENT', 'subject_id is required and purpose must be a lower_snake code');
      }
      const audit = { action: 'get_contact', caller, subjectIds: [request.subjectId], purpose: request.purpose, referenceId: request.referenceId } as const;
      const doc = await deps.subjects.findSubject(request.subjectId);
      const sealer = doc && doc.erasedAt === undefined ? await deps.vault.open(request.subjectId) : undefined;
      if (!doc || !sealer || !doc.pii?.firstName || !doc.profile || !doc.consents) {
        await deps.audit.record({ ...audit, outcome: 'not_found' });
        throw new AppError('INTAKE.SUBJECT_NOT_FOUND', 'No such subject, or it was erased');
      }
      const pii = doc.pii;
      const contact: Contact = {
        subjectId: doc._id,
        kind: doc.kind,
        firstName: sealer.open('firstName', doc.pii.firstName),
        email: pii.email === undefined ? undefined : sealer.open('email', pii.email),
        phoneE164: pii.phone === undefined ? undefined : sealer.open('phone', pii.phone),
        preferredChannel: doc.profile.preferredChannel,
        locale: doc.profile.locale,
        timeZone: doc.profile.timeZone,
        consents: doc.consents,
      };
      await deps.audit.record({ ...audit, outcome: 'ok' });
      return contact;
    },

    async setSmsConsentByPhone(caller: string, request: { phoneE164: string; consented: boolean; source: string }): Promise<string[]> {
      if (!/^\+[1-9]\d{6,14}$/.test(request.phoneE164) || !isValidPhoneNumber(request.phoneE164) || !lowerSnake.test(request.source)) {
        await deps.audit.record({ action: 'set_sms_consent', caller, subjectIds: [], outcome: 'invalid_argument' });
        throw new AppError('INTAKE.INVALID_ARGUMENT', 'phone_e164 must be an E.164 number and source a lower_snake code');
      }
      const matches = await deps.subjects.idsByPhoneIndex(deps.blindIndex.phone(request.phoneE164));
      const at = new Date();
      for (const m of matches) {
        if (m.kind === 'peer') await setPeerSmsConsent(m.id, request.consented, request.source, at);
        else await deps.subjects.setSmsConsent(m.kind, m.id, request.consented, request.source, at);
      }
      await deps.audit.record({ action: 'set_sms_consent', caller, subjectIds: matches.map((m) => m.id), outcome: 'ok', source: request.source });
      return matches.map((m) => m.id);
    },
  };
}

export type ContactDirectory = ReturnType<typeof createContactDirectory>;
