// Kafka topic names. The `.v1` suffix changes only with an incompatible envelope, which the
// protobuf evolution rules are there to avoid.

/** NewcomerRegistered, keyed by newcomer id. Produced by intake. */
export const NEWCOMERS_TOPIC = 'kindred.intake.newcomers.v1';
/** PeerProfileUpserted, PeerPaused, PeerResumed, keyed by peer id. Produced by intake. */
export const PEERS_TOPIC = 'kindred.intake.peers.v1';
/** MatchProposed … MatchClosed, keyed by match id. Produced by matching. */
export const MATCHES_TOPIC = 'kindred.matching.matches.v1';
/** IntroductionDelivered, IntroductionFailed, keyed by match id. Produced by the notifier. */
export const DELIVERIES_TOPIC = 'kindred.notify.deliveries.v1';
/** SubjectErased, keyed by subject id. Produced by intake. */
export const ERASURES_TOPIC = 'kindred.privacy.erasures.v1';

export const KAFKA_TOPICS = [NEWCOMERS_TOPIC, PEERS_TOPIC, MATCHES_TOPIC, DELIVERIES_TOPIC, ERASURES_TOPIC] as const;

export type KafkaTopic = (typeof KAFKA_TOPICS)[number];
