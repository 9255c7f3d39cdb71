import type { Envelope } from './gen/index.kindred.events.v1.js';
import {
  DELIVERIES_TOPIC,
  ERASURES_TOPIC,
  MATCHES_TOPIC,
  NEWCOMERS_TOPIC,
  PEERS_TOPIC,
  type KafkaTopic,
} from './topics.js';

/** The payload of an envelope: a tagged union with one `$case` per event. */
export type EventPayload = NonNullable<Envelope['event']>;
export type EventCase = EventPayload['$case'];

export interface EventRoute {
  /** Value of Envelope.type: the payload's fully-qualified protobuf name. */
  readonly type: string;
  readonly topic: KafkaTopic;
}

/**
 * Where each event goes and how its envelope names it. `satisfies` makes this fail to compile when
 * an event is added to the envelope's oneof without a route.
 */
export const EVENT_ROUTES = {
  newcomerRegistered: { type: 'kindred.events.v1.NewcomerRegistered', topic: NEWCOMERS_TOPIC },
  peerProfileUpserted: { type: 'kindred.events.v1.PeerProfileUpserted', topic: PEERS_TOPIC },
  peerPaused: { type: 'kindred.events.v1.PeerPaused', topic: PEERS_TOPIC },
  peerResumed: { type: 'kindred.events.v1.PeerResumed', topic: PEERS_TOPIC },
  matchProposed: { type: 'kindred.events.v1.MatchProposed', topic: MATCHES_TOPIC },
  matchApproved: { type: 'kindred.events.v1.MatchApproved', topic: MATCHES_TOPIC },
  matchDeclined: { type: 'kindred.events.v1.MatchDeclined', topic: MATCHES_TOPIC },
  matchTransitioned: { type: 'kindred.events.v1.MatchTransitioned', topic: MATCHES_TOPIC },
  matchClosed: { type: 'kindred.events.v1.MatchClosed', topic: MATCHES_TOPIC },
  introductionDelivered: { type: 'kindred.events.v1.IntroductionDelivered', topic: DELIVERIES_TOPIC },
  introductionFailed: { type: 'kindred.events.v1.IntroductionFailed', topic: DELIVERIES_TOPIC },
  subjectErased: { type: 'kindred.events.v1.SubjectErased', topic: ERASURES_TOPIC },
} as const satisfies Record<EventCase, EventRoute>;

export function routeOf(event: EventPayload): EventRoute {
  return EVENT_ROUTES[event.$case];
}
