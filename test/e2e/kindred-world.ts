import { randomBytes } from 'node:crypto';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { DELIVERIES_TOPIC, MATCHES_TOPIC, NEWCOMERS_TOPIC, PEERS_TOPIC, ERASURES_TOPIC, matching } from '@kindred/contracts';
import { createKafka, createLogger, ensureTopics, loadConfig, namespacedTopic } from '@kindred/platform';
import { intakeConfigSchema, startIntake, type RunningIntake } from '@kindred/intake';
import { matchingConfigSchema, startMatching, type RunningMatching } from '@kindred/matching';
import { notifierConfigSchema, startNotifier, type RunningNotifier } from '@kindred/notifier';
import { testInfra, uniqueName } from '@kindred/testkit';

export const COORDINATOR_TOKEN = `e2e-coordinator-${randomBytes(8).toString('hex')}`;
/** The console's token: it names the signed-in coordinator on each call. */
export const CONSOLE_TOKEN = `e2e-console-${randomBytes(8).toString('hex')}`;
const log = createLogger({ service: 'e2e', level: 'silent' });

/**
 * Intake, matching and the notifier running together in this process, each with its own database, on one Kafka
 * topic namespace, one BullMQ prefix, and the real servers — the whole path from an intake form to an introduction.
 */
export async function startKindred(prefix: string) {
  const infra = testInfra();
  if (infra.sandboxUrl === undefined) throw new Error('the end-to-end tests need the SMS/SMTP sandbox');
  const ns = uniqueName(prefix);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'e2e', log });
  await ensureTopics(kafka, [NEWCOMERS_TOPIC, PEERS_TOPIC, MATCHES_TOPIC, DELIVERIES_TOPIC, ERASURES_TOPIC].map((t) => namespacedTopic(t, ns)));
  const directoryToken = randomBytes(16).toString('hex');
  // Our own Twilio account: the shared sandbox records it on every SMS, so this world's messages can be told apart.
  const twilioAccountSid = `AC${randomBytes(16).toString('hex')}`;
  const common = { MONGO_URL: infra.mongoUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(','), LOG_LEVEL: 'silent' };

  const intake: RunningIntake = await startIntake({
    log,
    config: loadConfig('intake', intakeConfigSchema, {
      ...common,
      INTAKE_HTTP_PORT: '0',
      INTAKE_GRPC_PORT: '0',
      INTAKE_GRPC_HOST: '127.0.0.1',
      INTAKE_DB_NAME: `${ns}_intake`,
      INTAKE_MASTER_KEY: randomBytes(32).toString('hex'),
      INTAKE_BLIND_INDEX_KEY: randomBytes(32).toString('hex'),
      INTAKE_DIRECTORY_TOKEN: directoryToken,
      INTAKE_ADMIN_TOKEN: randomBytes(16).toString('hex'),
      INTAKE_NEWCOMERS_TOPIC: namespacedTopic(NEWCOMERS_TOPIC, ns),
      INTAKE_PEERS_TOPIC: namespacedTopic(PEERS_TOPIC, ns),
      INTAKE_ERASURES_TOPIC: namespacedTopic(ERASURES_TOPIC, ns),
      INTAKE_RATE_LIMIT_PER_MINUTE: '1000',
      INTAKE_RELAY_POLL_MS: '100',
    }),
  });
  const matchingService: RunningMatching = await startMatching({
    log,
    config: loadConfig('matching', matchingConfigSchema, {
      ...common,
      MATCHING_HTTP_PORT: '0',
      MATCHING_GRPC_PORT: '0',
      MATCHING_GRPC_HOST: '127.0.0.1',
      MATCHING_DB_NAME: `${ns}_matching`,
      MATCHING_TOPIC_NAMESPACE: ns,
      MATCHING_GROUP_ID: `${ns}-matching`,
      MATCHING_BATCH_WINDOW_MS: '200',
      MATCHING_OUTBOX_INTERVAL_MS: '100',
      MATCHING_TICK_MS: '1000',
      MATCHING_COORDINATOR_TOKENS: JSON.stringify({
        [COORDINATOR_TOKEN]: { actor: 'co_e2e', role: 'coordinator' },
        [CONSOLE_TOKEN]: { actor: 'console', role: 'coordinator', delegates: true },
      }),
    }),
  });
  const notifier: RunningNotifier = await startNotifier({
    log,
    config: loadConfig('notifier', notifierConfigSchema, {
      ...common,
      NOTIFIER_HTTP_PORT: '0',
      NOTIFIER_DB_NAME: `${ns}_notifier`,
      NOTIFIER_KAFKA_GROUP: `${ns}-notifier`,
      NOTIFIER_MATCHES_TOPIC: namespacedTopic(MATCHES_TOPIC, ns),
      NOTIFIER_DELIVERIES_TOPIC: namespacedTopic(DELIVERIES_TOPIC, ns),
      REDIS_URL: infra.redisUrl,
      NOTIFIER_QUEUE_PREFIX: ns.replace(/[^A-Za-z0-9_-]/g, '_'),
      INTAKE_GRPC_ADDR: intake.grpcAddress,
      INTAKE_DIRECTORY_TOKEN: directoryToken,
      SMTP_URL: infra.smtpUrl,
      TWILIO_ACCOUNT_SID: twilioAccountSid,
      TWILIO_AUTH_TOKEN: infra.twilioAuthToken,
      TWILIO_FROM: '+15005550001',
      TWILIO_API_BASE_URL: infra.sandboxUrl,
      // Any hour is a sending hour here: quiet hours have their own tests with a controllable clock.
      NOTIFIER_SENDING_WINDOW: '00:00-24:00',
      SMS_MAX_PER_SECOND: '50',
      RETRY_BASE_MS: '200',
      OUTBOX_POLL_MS: '100',
      NOTIFIER_COORDINATOR_TOKEN: randomBytes(16).toString('hex'),
    }),
  });

  const grpc = new matching.MatchingServiceClient(matchingService.grpcAddress, credentials.createInsecure());
  type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => unknown;
  const call = <Res>(name: string, request: unknown): Promise<Res> => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${COORDINATOR_TOKEN}`);
    const method = (grpc as unknown as Record<string, Unary>)[name];
    if (!method) throw new Error(`no gRPC method ${name}`);
    return new Promise((resolve, reject) => {
      method.call(grpc, request, metadata, (error, response) => (error ? reject(error) : resolve(response as Res)));
    });
  };

  return {
    infra,
    ns,
    intakeUrl: intake.url,
    twilioAccountSid,
    matchingGrpcAddress: matchingService.grpcAddress,
    coordinator: {
      listProposals: (r: Partial<matching.ListProposalsRequest>) => call<matching.ListProposalsResponse>('listProposals', matching.ListProposalsRequest.fromPartial(r)),
      getMatch: (matchId: string) => call<matching.GetMatchResponse>('getMatch', matching.GetMatchRequest.fromPartial({ matchId })),
      listUrgentNewcomers: () => call<matching.ListUrgentNewcomersResponse>('listUrgentNewcomers', matching.ListUrgentNewcomersRequest.fromPartial({ pageSize: 200 })),
      listAudit: (r: Partial<matching.ListAuditRequest>) => call<matching.ListAuditResponse>('listAudit', matching.ListAuditRequest.fromPartial(r)),
      approve: (matchId: string, expectedVersion: number) =>
        call<matching.ApproveMatchResponse>('approveMatch', matching.ApproveMatchRequest.fromPartial({ matchId, actor: 'co_e2e', expectedVersion })),
    },
    async stop() {
      grpc.close();
      await notifier.stop();
      await matchingService.stop();
      await intake.stop();
    },
  };
}
