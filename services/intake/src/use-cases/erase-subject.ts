import { AppError, type TraceContext } from '@kindred/platform';
import type { SubjectKind } from '../domain/subject.js';
import type { SubjectRepository } from '../data-access/subject.repository.js';
import type { EventFactory } from '../events/intake-event.factory.js';
import type { SubjectVault } from './subject-vault.js';

export interface ErasureResult {
  readonly subjectId: string;
  readonly kind: SubjectKind;
  readonly erasedAt: Date;
  readonly alreadyErased: boolean;
}

/**
 * Right to erasure: destroys the subject's key first (from then on every sealed field is noise, wherever a copy
 * of it lives), then removes the contact fields, the blind indexes and the profile, and appends SubjectErased —
 * in one write. Idempotent: a retry after a crash between the two steps completes the erasure.
 */
export function createEraseSubject(deps: { subjects: SubjectRepository; vault: SubjectVault; events: EventFactory; afterWrite: (kind: SubjectKind, id: string) => void }) {
  return async (subjectId: string, context: { trace: TraceContext }): Promise<ErasureResult> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await deps.subjects.findSubject(subjectId);
      if (!doc) throw new AppError('INTAKE.SUBJECT_NOT_FOUND', 'No such subject');
      if (doc.erasedAt !== undefined) return { subjectId, kind: doc.kind, erasedAt: doc.erasedAt, alreadyErased: true };
      await deps.vault.destroy(subjectId);
      const erasedAt = new Date();
      const event = deps.events.subjectErased({ subjectId, kind: doc.kind, erasedAt, trace: context.trace });
      const written = await deps.subjects.updateAtVersion(
        doc.kind,
        doc,
        { set: { erasedAt }, unset: ['pii', 'emailIndex', 'phoneIndex', 'profile', 'consents', 'screening', 'editTokenHash', 'requestHash'] },
        [event],
      );
      if (written) {
        deps.afterWrite(doc.kind, subjectId);
        return { subjectId, kind: doc.kind, erasedAt, alreadyErased: false };
      }
    }
    throw new AppError('INTAKE.CONCURRENT_UPDATE', 'The subject kept changing; try again', { retriable: true });
  };
}

export type EraseSubject = ReturnType<typeof createEraseSubject>;
