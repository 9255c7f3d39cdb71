import { events } from '@kindred/contracts';
import type { AgeBand, MeetingMode, RiskLevel } from '@kindred/matching-engine';
import type { MatchState } from '../domain/match-lifecycle.js';

// Protobuf enums ↔ the read model's lower-case codes. Unspecified/unknown values map to undefined, so callers
// decide whether that is an error.

function codeOf(name: string, prefix: string): string | undefined {
  if (!name.startsWith(prefix) || name === `${prefix}UNSPECIFIED` || name === 'UNRECOGNIZED') return undefined;
  return name.slice(prefix.length).toLowerCase();
}

export const topicCode = (t: events.Topic): string | undefined => codeOf(events.topicToJSON(t), 'TOPIC_');
export function topicEnum(code: string): events.Topic {
  return events.topicFromJSON(`TOPIC_${code.toUpperCase()}`);
}

export function meetingModeCode(m: events.MeetingMode): MeetingMode | undefined {
  switch (m) {
    case events.MeetingMode.MEETING_MODE_PHONE:
      return 'phone';
    case events.MeetingMode.MEETING_MODE_VIDEO:
      return 'video';
    case events.MeetingMode.MEETING_MODE_IN_PERSON:
      return 'in_person';
    case events.MeetingMode.MEETING_MODE_UNSPECIFIED:
    case events.MeetingMode.UNRECOGNIZED:
      return undefined;
  }
}
export function meetingModeEnum(m: MeetingMode): events.MeetingMode {
  switch (m) {
    case 'phone':
      return events.MeetingMode.MEETING_MODE_PHONE;
    case 'video':
      return events.MeetingMode.MEETING_MODE_VIDEO;
    case 'in_person':
      return events.MeetingMode.MEETING_MODE_IN_PERSON;
    case 'chat':
      return events.MeetingMode.MEETING_MODE_UNSPECIFIED;
  }
}

const AGE: ReadonlyArray<[events.AgeBand, AgeBand]> = [
  [events.AgeBand.AGE_BAND_18_24, '18-24'],
  [events.AgeBand.AGE_BAND_25_34, '25-34'],
  [events.AgeBand.AGE_BAND_35_44, '35-44'],
  [events.AgeBand.AGE_BAND_45_54, '45-54'],
  [events.AgeBand.AGE_BAND_55_64, '55-64'],
  [events.AgeBand.AGE_BAND_65_PLUS, '65+'],
];
export const ageBandCode = (a: events.AgeBand): AgeBand | undefined => AGE.find(([e]) => e === a)?.[1];
export const ageBandEnum = (a: AgeBand | null): events.AgeBand => AGE.find(([, c]) => c === a)?.[0] ?? events.AgeBand.AGE_BAND_UNSPECIFIED;

export const genderCode = (g: events.Gender): string | undefined => codeOf(events.genderToJSON(g), 'GENDER_');
export const genderEnum = (code: string | null): events.Gender =>
  code === null ? events.Gender.GENDER_UNSPECIFIED : events.genderFromJSON(`GENDER_${code.toUpperCase()}`);

const RISK: ReadonlyArray<[events.RiskLevel, RiskLevel]> = [
  [events.RiskLevel.RISK_LEVEL_NONE, 'none'],
  [events.RiskLevel.RISK_LEVEL_LOW, 'low'],
  [events.RiskLevel.RISK_LEVEL_MODERATE, 'moderate'],
  [events.RiskLevel.RISK_LEVEL_IMMINENT, 'imminent'],
];
export const riskLevelCode = (r: events.RiskLevel): RiskLevel | undefined => RISK.find(([e]) => e === r)?.[1];
export const riskLevelEnum = (r: string): events.RiskLevel => RISK.find(([, c]) => c === r)?.[0] ?? events.RiskLevel.RISK_LEVEL_UNSPECIFIED;

const STATE: ReadonlyArray<[events.MatchState, MatchState]> = [
  [events.MatchState.MATCH_STATE_PROPOSED, 'proposed'],
  [events.MatchState.MATCH_STATE_APPROVED, 'approved'],
  [events.MatchState.MATCH_STATE_INTRODUCED, 'introduced'],
  [events.MatchState.MATCH_STATE_ACTIVE, 'active'],
  [events.MatchState.MATCH_STATE_CLOSED, 'closed'],
  [events.MatchState.MATCH_STATE_DECLINED, 'declined'],
  [events.MatchState.MATCH_STATE_NEEDS_ATTENTION, 'needs_attention'],
  [events.MatchState.MATCH_STATE_REMATCH_REQUESTED, 'rematch_requested'],
];
export const matchStateCode = (s: events.MatchState): MatchState | undefined => STATE.find(([e]) => e === s)?.[1];
export const matchStateEnum = (s: MatchState): events.MatchState => STATE.find(([, c]) => c === s)?.[0] ?? events.MatchState.MATCH_STATE_UNSPECIFIED;

export const declineReasonCode = (r: events.DeclineReason): string | undefined => codeOf(events.declineReasonToJSON(r), 'DECLINE_REASON_');
export const declineReasonEnum = (code: string): events.DeclineReason => events.declineReasonFromJSON(`DECLINE_REASON_${code.toUpperCase()}`);
export const closeReasonCode = (r: events.CloseReason): string | undefined => codeOf(events.closeReasonToJSON(r), 'CLOSE_REASON_');
export const closeReasonEnum = (code: string): events.CloseReason => events.closeReasonFromJSON(`CLOSE_REASON_${code.toUpperCase()}`);
export const channelCode = (c: events.Channel): string | undefined => codeOf(events.channelToJSON(c), 'CHANNEL_');
export const channelEnum = (code: string): events.Channel => events.channelFromJSON(`CHANNEL_${code.toUpperCase()}`);
export const recipientRoleCode = (r: events.RecipientRole): string | undefined => codeOf(events.recipientRoleToJSON(r), 'RECIPIENT_ROLE_');
export const recipientRoleEnum = (code: string): events.RecipientRole => events.recipientRoleFromJSON(`RECIPIENT_ROLE_${code.toUpperCase()}`);
