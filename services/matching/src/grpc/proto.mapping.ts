import { events, matching } from '@kindred/contracts';
import type { AuditRecord, DeliveryRecord, MatchDocument, NewcomerDocument, PeerDocument } from '../data-access/documents.js';
import { isMatchState } from '../domain/match-lifecycle.js';
import { displayLabel, type StoredWindow } from '../domain/read-model.js';
import {
  ageBandEnum,
  channelEnum,
  closeReasonEnum,
  declineReasonEnum,
  genderEnum,
  matchStateEnum,
  meetingModeEnum,
  recipientRoleEnum,
  riskLevelEnum,
  topicEnum,
} from '../events/proto-codes.js';

// Read model → the console's protobuf messages. Ids and codes only: labels are made from ids.

const windows = (list: readonly StoredWindow[]): events.WeeklyWindow[] => list.map((w) => ({ ...w }));
const stateOf = (state: string): events.MatchState => (isMatchState(state) ? matchStateEnum(state) : events.MatchState.MATCH_STATE_UNSPECIFIED);

export function matchSummary(m: MatchDocument): matching.MatchSummary {
  return {
    matchId: m._id,
    state: stateOf(m.state),
    newcomerId: m.newcomerId,
    newcomerDisplayLabel: displayLabel('newcomer', m.newcomerId),
    peerId: m.peerId,
    peerDisplayLabel: displayLabel('peer', m.peerId),
    score: m.score,
    rank: m.rank,
    urgent: m.urgent,
    riskLevel: riskLevelEnum(m.riskLevel),
    sharedTopics: m.sharedTopics.map(topicEnum),
    sharedLanguages: [...m.sharedLanguages],
    waitingSince: m.waitingSince,
    proposedAt: m.proposedAt,
    updatedAt: m.updatedAt,
    version: m.version,
    ...(m.journeyTrace?.traceparent ? { journeyTrace: { traceparent: m.journeyTrace.traceparent, tracestate: m.journeyTrace.tracestate } } : {}),
  };
}

export function newcomerSummary(n: NewcomerDocument): matching.NewcomerSummary {
  return {
    newcomerId: n._id,
    displayLabel: displayLabel('newcomer', n._id),
    topics: n.topics.map(topicEnum),
    languages: [...n.languages],
    ageBand: ageBandEnum(n.ageBand),
    gender: genderEnum(n.gender),
    genderPreference: {
      kind:
        n.genderPreference.kind === 'same'
          ? events.GenderPreference_Kind.KIND_SAME
          : n.genderPreference.kind === 'specific'
            ? events.GenderPreference_Kind.KIND_SPECIFIC
            : events.GenderPreference_Kind.KIND_NONE,
      genders: n.genderPreference.genders.map(genderEnum),
      mustHave: n.genderPreference.mustHave,
    },
    timeZone: n.timeZone,
    region: n.region,
    meetingModes: n.meetingModes.map(meetingModeEnum),
    availability: windows(n.availability),
    riskLevel: riskLevelEnum(n.riskLevel),
    urgent: n.urgent,
    registeredAt: n.registeredAt,
    recoveryStartedOn: n.recoveryStartedOn,
    currentMatchId: n.currentMatchId ?? '',
    currentMatchState: n.currentMatchState === null ? events.MatchState.MATCH_STATE_UNSPECIFIED : matchStateEnum(n.currentMatchState),
  };
}

export function peerSummary(p: PeerDocument, now: Date): matching.PeerSummary {
  return {
    peerId: p._id,
    displayLabel: displayLabel('peer', p._id),
    topics: p.topics.map(topicEnum),
    languages: [...p.languages],
    gender: genderEnum(p.gender),
    ageBand: ageBandEnum(p.ageBand),
    timeZone: p.timeZone,
    region: p.region,
    meetingModes: p.meetingModes.map(meetingModeEnum),
    availability: windows(p.availability),
    recoveryStartedOn: p.recoveryStartedOn,
    capacity: p.capacity,
    load: Math.max(0, p.load),
    ...(p.pausedUntil !== null && p.pausedUntil.getTime() > now.getTime() ? { pausedUntil: p.pausedUntil } : {}),
    active: p.active,
    consented: p.consented,
    certified: p.certified,
  };
}

export function auditEntry(a: AuditRecord): matching.AuditEntry {
  return {
    auditId: a._id,
    at: a.at,
    actor: a.actor,
    action: a.action,
    matchId: a.matchId,
    subjectId: a.subjectId,
    fromState: a.fromState === null ? events.MatchState.MATCH_STATE_UNSPECIFIED : matchStateEnum(a.fromState),
    toState: a.toState === null ? events.MatchState.MATCH_STATE_UNSPECIFIED : matchStateEnum(a.toState),
    reason: a.reason,
  };
}

const DELIVERY_STATE: Readonly<Record<DeliveryRecord['state'], matching.DeliveryState>> = {
  delivered: matching.DeliveryState.DELIVERY_STATE_DELIVERED,
  retrying: matching.DeliveryState.DELIVERY_STATE_RETRYING,
  failed: matching.DeliveryState.DELIVERY_STATE_FAILED,
};

export function deliveryStatus(d: DeliveryRecord): matching.DeliveryStatus {
  return {
    deliveryId: d.deliveryId,
    recipientId: d.recipientId,
    role: recipientRoleEnum(d.role),
    channel: channelEnum(d.channel),
    state: DELIVERY_STATE[d.state],
    errorCode: d.errorCode,
    permanent: d.permanent,
    updatedAt: d.updatedAt,
  };
}

export function matchDetail(m: MatchDocument, newcomer: NewcomerDocument | null, peer: PeerDocument | null, now: Date): matching.MatchDetail {
  return {
    summary: matchSummary(m),
    ...(newcomer === null ? {} : { newcomer: newcomerSummary(newcomer) }),
    ...(peer === null ? {} : { peer: peerSummary(peer, now) }),
    factors: m.factors.map((f) => ({ ...f })),
    weights: { ...m.weights },
    engineVersion: m.engineVersion,
    weightsVersion: m.weightsVersion,
    skippedCandidates: m.skipped.map((s) => ({ peerId: s.peerId, displayLabel: displayLabel('peer', s.peerId), reasons: s.reasons.map((r) => ({ ...r })) })),
    otherCandidates: m.others.map((c) => ({
      peerId: c.peerId,
      displayLabel: displayLabel('peer', c.peerId),
      score: c.score,
      rank: c.rank,
      factors: c.factors.map((f) => ({ ...f })),
      freeCapacity: c.freeCapacity,
    })),
    audit: m.audit.map(auditEntry),
    deliveries: m.deliveries.map(deliveryStatus),
    declineReason: m.declineReason === null ? events.DeclineReason.DECLINE_REASON_UNSPECIFIED : declineReasonEnum(m.declineReason),
    closeReason: m.closeReason === null ? events.CloseReason.CLOSE_REASON_UNSPECIFIED : closeReasonEnum(m.closeReason),
    shareTopicsConsented: m.shareTopicsConsented,
  };
}
