import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { DELIVERIES_TOPIC, ERASURES_TOPIC, MATCHES_TOPIC, NEWCOMERS_TOPIC, PEERS_TOPIC, decodeEnvelope, events, matching, type DecodedEnvelope, type EventPayload } from '@kindred/contracts';
import {
  connectMongo,
  createKafka,
  createLogger,
  createRecordPublisher,
  ensureTopics,
  eventToRecord,
  loadConfig,
  namespacedTopic,
  newEvent,
  type RecordPublisher,
} from '@kindred/platform';
import { readTopics, testInfra, uniqueName, waitFor, type TopicReader } from '@kindred/testkit';
import { matchingConfigSchema, startMatching, type RunningMatching } from '../../src/index.js';
import type { MatchDocument, NewcomerDocument, PeerDocument } from '../../src/data-access/documents.js';

// The service's own modules that tests drive directly.
export { createPeerRepository } from '../../src/data-access/peer.repository.js';
export { peerFromEvent, newcomerFromEvent } from '../../src/events/intake-event.mapping.js';

export const COORDINATOR_TOKEN = 'coordinator-token-0123456789';
export const VIEWER_TOKEN = 'viewer-token-0123456789abc';
export const COORDINATOR_ACTOR = 'co_ana';

export const silentLog = createLogger({ service: 'matching-test', level: 'silent' });

/** One test file's world: its own topics (namespace), database and consumer group, on the real servers. */
export async function createWorld(prefix: string, options: { partitions?: number } = {}) {
  const infra = testInfra();
  const namespace = uniqueName(prefix);
  const dbName = uniqueName(`${prefix}_db`);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'matching-test', log: silentLog });
  const admin = kafka.admin();
  await admin.connect();
  const topics = [NEWCOMERS_TOPIC, PEERS_TOPIC, DELIVERIES_TOPIC, ERASURES_TOPIC, MATCHES_TOPIC].map((t) => namespacedTopic(t, namespace));
  await ensureTopics(kafka, topics, { numPartitions: options.partitions ?? 2 });
  const publisher: RecordPublisher = await createRecordPublisher(kafka);
  const connection: Connection = await connectMongo({ url: infra.mongoUrl, dbName, log: silentLog });
  const db = connection.db as unknown as Db;
  const matchesTopic = namespacedTopic(MATCHES_TOPIC, namespace);
  const readers: TopicReader[] = [];
  const running: RunningMatching[] = [];

  const world = {
    infra,
    namespace,
    dbName,
    kafka,
    admin,
    db,
    matchesTopic,
    topic: (t: string) => namespacedTopic(t, namespace),

    /** Starts a service instance on this world's topics and database. */
    async start(overrides: Record<string, string> = {}): Promise<RunningMatching & { groupId: string }> {
      const groupId = overrides['MATCHING_GROUP_ID'] ?? uniqueName(`${prefix}_group`);
      const config = loadConfig('matching', matchingConfigSchema, {
        MONGO_URL: infra.mongoUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        MATCHING_DB_NAME: dbName,
        MATCHING_TOPIC_NAMESPACE: namespace,
        MATCHING_GROUP_ID: groupId,
        MATCHING_HTTP_PORT: '0',
        MATCHING_GRPC_PORT: '0',
        MATCHING_GRPC_HOST: '127.0.0.1',
        MATCHING_BATCH_WINDOW_MS: '150',
        MATCHING_OUTBOX_INTERVAL_MS: '100',
        MATCHING_TICK_MS: '1000',
        MATCHING_COORDINATOR_TOKENS: JSON.stringify({
          [COORDINATOR_TOKEN]: { actor: COORDINATOR_ACTOR, role: 'coordinator' },
          [VIEWER_TOKEN]: { actor: 'vw_1', role: 'viewer' },
        }),
        LOG_LEVEL: 'silent',
        ...overrides,
      });
      const app = await startMatching({ config, log: silentLog });
      running.push(app);
      return Object.assign(app, { groupId });
    },

    async publish(payload: EventPayload, aggregateId: string): Promise<DecodedEnvelope> {
      const envelope = newEvent(payload, { producer: 'test', aggregateId });
      await publisher.publish([eventToRecord(envelope, namespace)]);
      return envelope;
    },

    async publishRaw(topic: string, key: string, value: Buffer): Promise<void> {
      await publisher.publish([{ topic, key, value, headers: {} }]);
    },

    async readMatchEvents(): Promise<{ events: () => DecodedEnvelope[]; stop: () => Promise<void> }> {
      const reader = await readTopics(infra.kafkaBrokers, [matchesTopic]);
      readers.push(reader);
      return { events: () => reader.records.map((r) => decodeEnvelope(r.value)), stop: () => reader.stop() };
    },

    matches: () => db.collection<MatchDocument>('matches'),
    newcomers: () => db.collection<NewcomerDocument>('newcomers'),
    peers: () => db.collection<PeerDocument>('peers'),

    async waitForPeer(peerId: string): Promise<PeerDocument> {
      return waitFor(() => world.peers().findOne({ _id: peerId }).then((p) => p ?? undefined), { description: `peer ${peerId} stored` });
    },

    async waitForProposal(newcomerId: string): Promise<MatchDocument> {
      return waitFor(() => world.matches().findOne({ newcomerId, state: 'proposed' }).then((m) => m ?? undefined), {
        description: `a proposal for ${newcomerId}`,
      });
    },

    async stop(): Promise<void> {
      for (const app of running.splice(0)) await app.stop();
      for (const reader of readers.splice(0)) await reader.stop();
      await publisher.disconnect();
      await admin.disconnect();
      await connection.dropDatabase();
      await connection.close();
    },
  };
  return world;
}

export type World = Awaited<ReturnType<typeof createWorld>>;

const EVENINGS: events.WeeklyWindow[] = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, startMinute: 18 * 60, endMinute: 21 * 60 }));

export function peerProfile(peerId: string, overrides: Partial<events.PeerProfileUpserted> = {}): EventPayload {
  return {
    $case: 'peerProfileUpserted',
    peerProfileUpserted: events.PeerProfileUpserted.fromPartial({
      peerId,
      topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_ANXIETY],
      languages: ['en'],
      gender: events.Gender.GENDER_WOMAN,
      ageBand: events.AgeBand.AGE_BAND_35_44,
      timeZone: 'America/Chicago',
      region: 'US-IL',
      meetingModes: [events.MeetingMode.MEETING_MODE_VIDEO, events.MeetingMode.MEETING_MODE_PHONE],
      availability: EVENINGS,
      recoveryStartedOn: '2015-03-01',
      capacity: 2,
      active: true,
      consented: true,
      certified: true,
      locale: 'en',
      ...overrides,
    }),
  };
}

export function newcomerRegistered(newcomerId: string, overrides: Partial<events.NewcomerRegistered> = {}): EventPayload {
  return {
    $case: 'newcomerRegistered',
    newcomerRegistered: events.NewcomerRegistered.fromPartial({
      newcomerId,
      topics: [events.Topic.TOPIC_GRIEF],
      languages: ['en-US'],
      ageBand: events.AgeBand.AGE_BAND_25_34,
      gender: events.Gender.GENDER_MAN,
      genderPreference: { kind: events.GenderPreference_Kind.KIND_NONE, genders: [], mustHave: false },
      timeZone: 'America/Chicago',
      region: 'US-IL',
      meetingModes: [events.MeetingMode.MEETING_MODE_VIDEO],
      availability: EVENINGS,
      riskLevel: events.RiskLevel.RISK_LEVEL_LOW,
      urgent: false,
      consentShareTopics: true,
      registeredAt: new Date(),
      locale: 'en',
      recoveryStartedOn: '',
      ...overrides,
    }),
  };
}

/** A grpc-js client built from the generated definition, with promise-returning calls. */
export function grpcClient(address: string) {
  const client = new matching.MatchingServiceClient(address, credentials.createInsecure());
  type Unary<Req, Res> = (request: Req, metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => unknown;
  const methods = client as unknown as Record<string, Unary<unknown, unknown>>;
  function call<Req, Res>(name: string, request: Req, token: string | null): Promise<Res> {
    const method = methods[name] as unknown as Unary<Req, Res>;
    const metadata = new Metadata();
    if (token !== null) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve, reject) => {
      method.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }
  const as = (token: string | null) => ({
    listProposals: (r: Partial<matching.ListProposalsRequest>) => call<matching.ListProposalsRequest, matching.ListProposalsResponse>('listProposals', matching.ListProposalsRequest.fromPartial(r), token),
    getMatch: (r: Partial<matching.GetMatchRequest>) => call<matching.GetMatchRequest, matching.GetMatchResponse>('getMatch', matching.GetMatchRequest.fromPartial(r), token),
    approveMatch: (r: Partial<matching.ApproveMatchRequest>) => call<matching.ApproveMatchRequest, matching.ApproveMatchResponse>('approveMatch', matching.ApproveMatchRequest.fromPartial(r), token),
    declineMatch: (r: Partial<matching.DeclineMatchRequest>) => call<matching.DeclineMatchRequest, matching.DeclineMatchResponse>('declineMatch', matching.DeclineMatchRequest.fromPartial(r), token),
    reassignMatch: (r: Partial<matching.ReassignMatchRequest>) => call<matching.ReassignMatchRequest, matching.ReassignMatchResponse>('reassignMatch', matching.ReassignMatchRequest.fromPartial(r), token),
    markActive: (r: Partial<matching.MarkActiveRequest>) => call<matching.MarkActiveRequest, matching.MarkActiveResponse>('markActive', matching.MarkActiveRequest.fromPartial(r), token),
    requestRematch: (r: Partial<matching.RequestRematchRequest>) => call<matching.RequestRematchRequest, matching.RequestRematchResponse>('requestRematch', matching.RequestRematchRequest.fromPartial(r), token),
    closeMatch: (r: Partial<matching.CloseMatchRequest>) => call<matching.CloseMatchRequest, matching.CloseMatchResponse>('closeMatch', matching.CloseMatchRequest.fromPartial(r), token),
    pausePeer: (r: Partial<matching.PausePeerRequest>) => call<matching.PausePeerRequest, matching.PausePeerResponse>('pausePeer', matching.PausePeerRequest.fromPartial(r), token),
    resumePeer: (r: Partial<matching.ResumePeerRequest>) => call<matching.ResumePeerRequest, matching.ResumePeerResponse>('resumePeer', matching.ResumePeerRequest.fromPartial(r), token),
    listPeers: (r: Partial<matching.ListPeersRequest>) => call<matching.ListPeersRequest, matching.ListPeersResponse>('listPeers', matching.ListPeersRequest.fromPartial(r), token),
    listUrgentNewcomers: (r: Partial<matching.ListUrgentNewcomersRequest>) =>
      call<matching.ListUrgentNewcomersRequest, matching.ListUrgentNewcomersResponse>('listUrgentNewcomers', matching.ListUrgentNewcomersRequest.fromPartial(r), token),
    listAudit: (r: Partial<matching.ListAuditRequest>) => call<matching.ListAuditRequest, matching.ListAuditResponse>('listAudit', matching.ListAuditRequest.fromPartial(r), token),
    getInsights: (r: Partial<matching.GetInsightsRequest>) => call<matching.GetInsightsRequest, matching.GetInsightsResponse>('getInsights', matching.GetInsightsRequest.fromPartial(r), token),
  });
  return { as, close: () => client.close() };
}

/** The rejection of a call, for asserting on its status. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}
