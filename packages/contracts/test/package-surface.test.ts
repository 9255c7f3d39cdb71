// What other packages import from @kindred/contracts: namespaces per proto package, topic names,
// and event routes that agree with what envelope.proto declares.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileRegistry } from '@bufbuild/protobuf';
import {
  DELIVERIES_TOPIC,
  ERASURES_TOPIC,
  EVENT_ROUTES,
  KAFKA_TOPICS,
  MATCHES_TOPIC,
  NEWCOMERS_TOPIC,
  PEERS_TOPIC,
  events,
  health,
  intake,
  matching,
  type EventCase,
} from '@kindred/contracts';
import { loadProtoRegistry } from './support/proto-image.js';

describe('@kindred/contracts exports', () => {
  it('one namespace per proto package, with messages, enums and gRPC services', () => {
    expect(typeof events.Envelope.decode).toBe('function');
    expect(events.Topic.TOPIC_LONELINESS).toBe(18);
    expect(matching.MatchingServiceService.listProposals.path).toBe('/kindred.matching.v1.MatchingService/ListProposals');
    expect(intake.ContactDirectoryService.getContact.path).toBe('/kindred.intake.v1.ContactDirectory/GetContact');
    expect(intake.PrivacyAdminService.eraseSubject.path).toBe('/kindred.intake.v1.PrivacyAdmin/EraseSubject');
    expect(health.HealthService.check.path).toBe('/grpc.health.v1.Health/Check');
    expect(health.HealthService.watch.responseStream).toBe(true);
  });

  it('the five Kafka topics', () => {
    expect([NEWCOMERS_TOPIC, PEERS_TOPIC, MATCHES_TOPIC, DELIVERIES_TOPIC, ERASURES_TOPIC]).toEqual([
      'kindred.intake.newcomers.v1',
      'kindred.intake.peers.v1',
      'kindred.matching.matches.v1',
      'kindred.notify.deliveries.v1',
      'kindred.privacy.erasures.v1',
    ]);
    expect(new Set(KAFKA_TOPICS).size).toBe(5);
  });
});

describe('EVENT_ROUTES agrees with envelope.proto', () => {
  let registry: FileRegistry;
  beforeAll(() => {
    registry = loadProtoRegistry();
  });

  it('each oneof case is routed with its payload message type', () => {
    const envelope = registry.getMessage('kindred.events.v1.Envelope')!;
    const oneof = envelope.oneofs.find((o) => o.name === 'event')!;
    const declared = Object.fromEntries(oneof.fields.map((field) => [field.localName, field.message?.typeName]));
    const routed = Object.fromEntries(Object.entries(EVENT_ROUTES).map(([c, route]) => [c, route.type]));
    expect(routed).toEqual(declared);
  });

  it('each event goes to the topic its proto comment names', () => {
    const byTopic = (topic: string): EventCase[] =>
      (Object.keys(EVENT_ROUTES) as EventCase[]).filter((c) => EVENT_ROUTES[c].topic === topic).sort();
    expect(byTopic(NEWCOMERS_TOPIC)).toEqual(['newcomerRegistered']);
    expect(byTopic(PEERS_TOPIC)).toEqual(['peerPaused', 'peerProfileUpserted', 'peerResumed']);
    expect(byTopic(MATCHES_TOPIC)).toEqual(['matchApproved', 'matchClosed', 'matchDeclined', 'matchProposed', 'matchTransitioned']);
    expect(byTopic(DELIVERIES_TOPIC)).toEqual(['introductionDelivered', 'introductionFailed']);
    expect(byTopic(ERASURES_TOPIC)).toEqual(['subjectErased']);
  });
});
