import { events, type DecodedEnvelope } from '@kindred/contracts';
import { activeTraceContext, AppError, type IncomingRecord } from '@kindred/platform';
import type { NewcomerRepository } from '../data-access/newcomer.repository.js';
import type { PeerRepository } from '../data-access/peer.repository.js';
import type { MatchLifecycle } from '../use-cases/match-lifecycle.use-cases.js';
import { newcomerFromEvent, peerFromEvent } from './intake-event.mapping.js';
import { channelCode, recipientRoleCode } from './proto-codes.js';

/**
 * The Kafka edge: maps each event to one read-model write or use case. Every write is idempotent by event id, so
 * redelivery and replay from offset 0 change nothing.
 */
export function createIncomingEventsHandler(deps: {
  newcomers: NewcomerRepository;
  peers: PeerRepository;
  lifecycle: MatchLifecycle;
  clock: () => Date;
  /** Waiting newcomers or free capacity may have appeared. */
  onMatchable: () => void;
}) {
  const { newcomers, peers, lifecycle, clock } = deps;

  return async function handle(record: IncomingRecord<DecodedEnvelope>): Promise<void> {
    const envelope = record.value;
    const { eventId } = envelope;
    const event = envelope.event;
    switch (event.$case) {
      case 'newcomerRegistered': {
        const { id, attributes } = newcomerFromEvent(event.newcomerRegistered);
        const result = await newcomers.record(id, attributes, eventId, clock(), activeTraceContext());
        record.log.info({ newcomerId: id, result, urgent: attributes.urgent }, 'newcomer recorded');
        if (result === 'applied') deps.onMatchable();
        return;
      }
      case 'peerProfileUpserted': {
        const { id, attributes } = peerFromEvent(event.peerProfileUpserted);
        const result = await peers.upsertProfile(id, attributes, eventId, clock());
        record.log.info({ peerId: id, result }, 'peer profile applied');
        if (result === 'applied') deps.onMatchable();
        return;
      }
      case 'peerPaused':
      case 'peerResumed': {
        const paused = event.$case === 'peerPaused' ? event.peerPaused : undefined;
        const peerId = paused?.peerId ?? (event.$case === 'peerResumed' ? event.peerResumed.peerId : '');
        if (paused !== undefined && paused.pausedUntil === undefined) {
          throw new AppError('MATCH.INVALID_EVENT', 'paused_until is missing', { details: { field: 'paused_until' } });
        }
        if (peerId === '') throw new AppError('MATCH.INVALID_EVENT', 'peer_id is empty', { details: { field: 'peer_id' } });
        const result = await peers.applyPause(peerId, paused?.pausedUntil ?? null, paused?.reasonCode ?? null, eventId, clock());
        if (result === 'applied' && paused === undefined) deps.onMatchable();
        return;
      }
      case 'introductionDelivered': {
        const d = event.introductionDelivered;
        await lifecycle.applyDelivery({
          eventId,
          matchId: d.matchId,
          deliveryId: d.deliveryId,
          recipientId: d.recipientId,
          role: recipientRoleCode(d.role) ?? 'unspecified',
          channel: channelCode(d.channel) ?? 'unspecified',
          outcome: 'delivered',
          errorCode: '',
          at: d.deliveredAt ?? envelope.occurredAt ?? clock(),
        });
        return;
      }
      case 'introductionFailed': {
        const d = event.introductionFailed;
        await lifecycle.applyDelivery({
          eventId,
          matchId: d.matchId,
          deliveryId: d.deliveryId,
          recipientId: d.recipientId,
          role: recipientRoleCode(d.role) ?? 'unspecified',
          channel: channelCode(d.channel) ?? 'unspecified',
          outcome: d.permanent ? 'failed_permanent' : 'failed_transient',
          errorCode: d.errorCode,
          at: envelope.occurredAt ?? clock(),
        });
        return;
      }
      case 'subjectErased': {
        const e = event.subjectErased;
        const kind = e.subjectKind === events.SubjectKind.SUBJECT_KIND_NEWCOMER ? 'newcomer' : e.subjectKind === events.SubjectKind.SUBJECT_KIND_PEER ? 'peer' : undefined;
        if (kind === undefined) throw new AppError('MATCH.INVALID_EVENT', 'subject_kind must be NEWCOMER or PEER', { details: { field: 'subject_kind' } });
        if (e.subjectId === '') throw new AppError('MATCH.INVALID_EVENT', 'subject_id is empty', { details: { field: 'subject_id' } });
        await lifecycle.eraseSubject(e.subjectId, kind, eventId);
        record.log.info({ kind }, 'subject erased');
        return;
      }
      case 'matchProposed':
      case 'matchApproved':
      case 'matchDeclined':
      case 'matchTransitioned':
      case 'matchClosed':
        record.log.debug({ type: envelope.type }, 'event not for this consumer; skipped');
        return;
    }
  };
}
