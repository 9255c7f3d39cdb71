import { ulid } from 'ulid';
import { encodeEnvelope, envelopeFor, events, type EventPayload } from '@kindred/contracts';
import type { TraceContext } from '@kindred/platform';
import type { WeeklyWindow } from '../domain/availability.js';
import type { NewcomerProfile, PeerProfile, ScreeningRecord, SubjectKind } from '../domain/subject.js';
import type { AgeBand, Gender, MeetingMode, RiskLevel, Topic } from '../domain/vocabulary.js';

/** An event ready for the outbox: the encoded envelope and where it goes. `seq` is given by the repository. */
export interface PendingEvent {
  readonly eventId: string;
  readonly type: string;
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IntakeTopics {
  readonly newcomers: string;
  readonly peers: string;
  readonly erasures: string;
}

/** Kafka header names every Kindred consumer reads (the consumer runner logs them). */
export const eventHeaders = { eventId: 'kindred-event-id', eventType: 'kindred-event-type' } as const;

const upper = (value: string) => value.toUpperCase();
export const toTopic = (t: Topic): events.Topic => events.topicFromJSON(`TOPIC_${upper(t)}`);
export const toMeetingMode = (m: MeetingMode): events.MeetingMode => events.meetingModeFromJSON(`MEETING_MODE_${upper(m)}`);
export const toAgeBand = (a: AgeBand): events.AgeBand => events.ageBandFromJSON(`AGE_BAND_${upper(a)}`);
export const toGender = (g: Gender | undefined): events.Gender => (g === undefined ? events.Gender.GENDER_UNSPECIFIED : events.genderFromJSON(`GENDER_${upper(g)}`));
export const toRiskLevel = (r: RiskLevel): events.RiskLevel => events.riskLevelFromJSON(`RISK_LEVEL_${upper(r)}`);
const toWindows = (list: readonly WeeklyWindow[]): events.WeeklyWindow[] => list.map((w) => ({ day: w.day, startMinute: w.startMinute, endMinute: w.endMinute }));
const dateAt = (isoDate: string) => new Date(`${isoDate}T00:00:00.000Z`);

/**
 * Builds intake's events. Only pseudonymous ids and matching attributes go in: the profile types carry no name,
 * contact detail or free text, so PII cannot reach a topic through here.
 */
export function createEventFactory(deps: { topics: IntakeTopics; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());

  const build = (event: EventPayload, topic: string, aggregateId: string, trace: TraceContext): PendingEvent => {
    const eventId = ulid();
    const envelope = envelopeFor(event, { eventId, occurredAt: now(), producer: 'intake', aggregateId, trace: { traceparent: trace.traceparent, tracestate: trace.tracestate } });
    const headers: Record<string, string> = {
      [eventHeaders.eventId]: eventId,
      [eventHeaders.eventType]: envelope.type,
      traceparent: trace.traceparent,
      'content-type': 'application/x-protobuf',
    };
    if (trace.tracestate !== '') headers['tracestate'] = trace.tracestate;
    return { eventId, type: envelope.type, topic, key: aggregateId, value: Buffer.from(encodeEnvelope(envelope)), headers };
  };

  return {
    newcomerRegistered(input: {
      newcomerId: string;
      profile: NewcomerProfile;
      screening: ScreeningRecord;
      consentShareTopics: boolean;
      registeredAt: Date;
      trace: TraceContext;
    }): PendingEvent {
      const p = input.profile;
      return build(
        {
          $case: 'newcomerRegistered',
          newcomerRegistered: {
            newcomerId: input.newcomerId,
            topics: p.topics.map(toTopic),
            languages: [...p.languages],
            ageBand: toAgeBand(p.ageBand),
            gender: toGender(p.gender),
            genderPreference: {
              kind: events.genderPreference_KindFromJSON(`KIND_${upper(p.genderPreference.kind)}`),
              genders: p.genderPreference.genders.map((g) => toGender(g)),
              mustHave: p.genderPreference.mustHave,
            },
            timeZone: p.timeZone,
            region: p.region ?? '',
            meetingModes: p.meetingModes.map(toMeetingMode),
            availability: toWindows(p.availability),
            riskLevel: toRiskLevel(input.screening.riskLevel),
            urgent: input.screening.urgent,
            consentShareTopics: input.consentShareTopics,
            registeredAt: input.registeredAt,
            locale: p.locale,
            recoveryStartedOn: p.recoveryStartedOn ?? '',
          },
        },
        deps.topics.newcomers,
        input.newcomerId,
        input.trace,
      );
    },

    peerProfileUpserted(input: { peerId: string; profile: PeerProfile; consented: boolean; trace: TraceContext }): PendingEvent {
      const p = input.profile;
      return build(
        {
          $case: 'peerProfileUpserted',
          peerProfileUpserted: {
            peerId: input.peerId,
            topics: p.topics.map(toTopic),
            languages: [...p.languages],
            gender: toGender(p.gender),
            ageBand: toAgeBand(p.ageBand),
            timeZone: p.timeZone,
            region: p.region ?? '',
            meetingModes: p.meetingModes.map(toMeetingMode),
            availability: toWindows(p.availability),
            recoveryStartedOn: p.recoveryStartedOn,
            capacity: p.capacity,
            active: p.active,
            consented: input.consented,
            certified: p.certified,
            pausedUntil: p.pausedUntil === undefined ? undefined : dateAt(p.pausedUntil),
            locale: p.locale,
          },
        },
        deps.topics.peers,
        input.peerId,
        input.trace,
      );
    },

    peerPaused(input: { peerId: string; until: string; reasonCode: string; trace: TraceContext }): PendingEvent {
      return build(
        { $case: 'peerPaused', peerPaused: { peerId: input.peerId, pausedUntil: dateAt(input.until), reasonCode: input.reasonCode } },
        deps.topics.peers,
        input.peerId,
        input.trace,
      );
    },

    peerResumed(input: { peerId: string; trace: TraceContext }): PendingEvent {
      return build({ $case: 'peerResumed', peerResumed: { peerId: input.peerId } }, deps.topics.peers, input.peerId, input.trace);
    },

    subjectErased(input: { subjectId: string; kind: SubjectKind; erasedAt: Date; trace: TraceContext }): PendingEvent {
      return build(
        {
          $case: 'subjectErased',
          subjectErased: {
            subjectId: input.subjectId,
            subjectKind: input.kind === 'newcomer' ? events.SubjectKind.SUBJECT_KIND_NEWCOMER : events.SubjectKind.SUBJECT_KIND_PEER,
            erasedAt: input.erasedAt,
          },
        },
        deps.topics.erasures,
        input.subjectId,
        input.trace,
      );
    },
  };
}

export type EventFactory = ReturnType<typeof createEventFactory>;
