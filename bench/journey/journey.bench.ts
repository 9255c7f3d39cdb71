// `pnpm bench journey [--rate 5] [--seconds 60] [--steps 5,10,20,40] [--step-seconds 15] [--peers 400] [--port-base 8600]`
// The four services as child processes on the local servers, fed through the intake API: intake → proposal and
// approval → sent latency at a steady rate, the highest rate without a growing backlog, each service's memory, and
// beside each the raw kafkajs / BullMQ / Node figure measured in the same run. Figures on stdout (and as JSON in
// .kindred/bench/), progress on stderr. Not a test: nothing here asserts on time.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { infraUp, type InfraEndpoints } from '@kindred/infra-native';
import { createKafka, createLogger, ensureTopics } from '@kindred/platform';
import { localLayout, localServiceEnvironment, serviceUrl } from '../../deploy/local-services.js';
import { coordinatorClient, type CoordinatorClient } from './coordinator.client.js';
import { parseJourneyArgs, type JourneyOptions } from './journey-args.js';
import { JourneyObserver } from './journey-observer.js';
import { INTRODUCTIONS_PER_MATCH, JourneyPopulation, peerSlots, type Enrollment } from './journey-population.js';
import { renderReport, type JourneyReport, type StepReport } from './journey-report.js';
import { highestSustainedRate, judgeStep, percentileByBucket, summarize, sustained, type LagSample } from './journey-stats.js';
import { bullmqBaseline, kafkaBaseline } from './raw-baselines.js';
import { idleNodeRss, readProcCpuSeconds, ServiceProcesses } from './service-processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (line: string) => process.stderr.write(`[bench journey] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => boolean, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

interface SentIntake {
  readonly phase: 'warm-up' | 'steady' | number;
  readonly sentAt: number;
  answeredAt?: number;
  status?: number;
  id?: string;
}

/** Posts intakes and keeps the tally the lag is computed from. */
class IntakeDriver {
  readonly sent: SentIntake[] = [];
  accepted = 0;
  readonly refused = new Map<string, number>();

  constructor(
    private readonly intakeUrl: string,
    private readonly population: JourneyPopulation,
  ) {}

  private async post(phase: SentIntake['phase'], body: Enrollment): Promise<void> {
    const entry: SentIntake = { phase, sentAt: Date.now() };
    this.sent.push(entry);
    try {
      const response = await fetch(`${this.intakeUrl}/v1/intakes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await response.json()) as { id?: unknown };
      entry.answeredAt = Date.now();
      entry.status = response.status;
      if (response.status === 201 && typeof json.id === 'string') {
        entry.id = json.id;
        this.accepted += 1;
      } else {
        this.refused.set(String(response.status), (this.refused.get(String(response.status)) ?? 0) + 1);
      }
    } catch (error) {
      const code = error instanceof Error ? error.name : 'error';
      this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
    }
  }

  /** Open loop: each intake leaves on its schedule whether or not earlier ones were answered, as people would send them. */
  async paced(ratePerS: number, seconds: number, phase: SentIntake['phase']): Promise<void> {
    const total = Math.round(ratePerS * seconds);
    const start = Date.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / ratePerS;
      if (due > Date.now()) await sleep(due - Date.now());
      const request = this.post(phase, this.population.newcomer());
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
    await Promise.all(inFlight);
  }
}

/** Reads the backlog (intakes accepted minus proposals observed since `start`) four times a second. */
function sampleLag(driver: IntakeDriver, observer: JourneyObserver): { stop: () => LagSample[] } {
  const start = Date.now();
  const acceptedBefore = driver.accepted;
  const proposedBefore = observer.proposals.size;
  const samples: LagSample[] = [];
  const timer = setInterval(() => samples.push({ atS: (Date.now() - start) / 1000, lag: driver.accepted - acceptedBefore - (observer.proposals.size - proposedBefore) }), 250);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

interface Approval {
  sendingAt?: number;
  answeredAt?: number;
  error?: string;
}

async function seedPeers(intakeUrl: string, peers: readonly Enrollment[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < peers.length) {
      const peer = peers[next]!;
      next += 1;
      const response = await fetch(`${intakeUrl}/v1/peers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(peer) });
      if (response.status !== 201) throw new Error(`seeding: POST /v1/peers answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Everything this run made on the shared servers carries its run name; nothing else is touched. */
async function removeRunResources(kafka: Kafka, endpoints: InfraEndpoints, runName: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  let topics = 0;
  let groups = 0;
  try {
    const mine = (await admin.listTopics()).filter((t) => t.includes(runName));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
    topics = mine.length;
    const myGroups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(runName));
    try {
      if (myGroups.length > 0) await admin.deleteGroups(myGroups);
      groups = myGroups.length;
    } catch {
      // a group whose member is still leaving cannot be deleted yet; it holds no data
    }
  } finally {
    await admin.disconnect();
  }
  const mongo = new MongoClient(endpoints.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  await mongo.connect();
  let databases = 0;
  try {
    for (const { name } of (await mongo.db('admin').admin().listDatabases({ nameOnly: true })).databases) {
      if (!name.includes(runName)) continue;
      await mongo.db(name).dropDatabase();
      databases += 1;
    }
  } finally {
    await mongo.close();
  }
  const redis = new Redis(endpoints.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  await redis.connect();
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [nextCursor, found] = await redis.scan(cursor, 'MATCH', `*${runName}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (found.length > 0) keys += await redis.unlink(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return `removed ${topics} topics, ${groups} consumer groups, ${databases} databases and ${keys} Redis keys of ${runName}`;
}

export async function run(args: readonly string[]): Promise<void> {
  const options: JourneyOptions = parseJourneyArgs(args);
  const newcomersPlanned = Math.round(options.rate * options.seconds) + options.steps.reduce((sum, r) => sum + Math.round(r * options.stepSeconds), 0);
  if (peerSlots(options.peers) < 1.3 * newcomersPlanned) {
    throw new Error(`${options.peers} peers offer ${peerSlots(options.peers)} places, too few for ${newcomersPlanned} newcomers (with room to spare): raise --peers`);
  }
  const runName = `bench_${randomBytes(3).toString('hex')}`;
  const layout = localLayout({ KINDRED_PORT_BASE: String(options.portBase), KINDRED_RUN_NAME: runName });
  const ports = [0, 1, 2, 3, 11, 12].map((offset) => options.portBase + offset);
  const busy = (await Promise.all(ports.map(async (port) => ((await portFree(port)) ? [] : [port])))).flat();
  if (busy.length > 0) throw new Error(`ports ${busy.join(', ')} are in use: choose another --port-base`);

  const startedAt = new Date();
  const loadAtStart = loadavg();
  say(`run ${runName}: ${options.peers} peers; steady ${options.rate}/s for ${options.seconds} s; steps ${options.steps.join(', ')}/s of ${options.stepSeconds} s`);
  const endpoints = await infraUp({ requireSandbox: true, log: (line) => say(line) });
  const log = createLogger({ service: 'bench-journey', level: 'silent' });
  const kafka = createKafka({ brokers: endpoints.kafkaBrokers.split(','), clientId: `bench-journey-${runName}`, log });
  const logDir = join(root, '.kindred', 'bench', `journey-${runName}`);
  mkdirSync(logDir, { recursive: true });

  const serviceEnv = localServiceEnvironment(endpoints, layout);
  const overrides = {
    // One client address sends every intake: the public form's per-address limit would refuse the load.
    INTAKE_RATE_LIMIT_PER_MINUTE: '1000000',
    // Quiet hours would hold introductions until morning in the recipients' zones.
    NOTIFIER_SENDING_WINDOW: '00:00-24:00',
    // The sandbox has no provider limits; the defaults (1 SMS/s, the rate of one Twilio number) would measure a cap.
    SMS_MAX_PER_SECOND: '1000',
    EMAIL_MAX_PER_SECOND: '1000',
  };
  const services = new ServiceProcesses(root, logDir, { ...process.env, ...serviceEnv, ...overrides });
  const observer = new JourneyObserver();
  let coordinator: CoordinatorClient | undefined;
  let tornDown: Promise<void> | undefined;
  const teardown = () =>
    (tornDown ??= (async () => {
      coordinator?.close();
      await services.stopAll();
      say('services stopped');
      await observer.stop().catch(() => undefined);
      try {
        say(await removeRunResources(kafka, endpoints, runName));
      } catch (error) {
        say(`cleanup incomplete: ${error instanceof Error ? error.message : String(error)}`);
      }
    })());
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    say('interrupted: stopping the services');
    void teardown().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say('raw baselines: kafkajs produce → consume, BullMQ no-op');
    const kafkaRaw = await kafkaBaseline(kafka, `${runName}.bench.baseline`, `${runName}-baseline`);
    const bullRaw = await bullmqBaseline(endpoints.redisUrl, `${runName}_noop`);
    const nodeRss = await idleNodeRss(root);
    say(`kafkajs round trip p50 ${kafkaRaw.roundTrip.p50Ms} ms, ${Math.round(kafkaRaw.messagesPerS)} msg/s; BullMQ add → processed p50 ${bullRaw.addToProcessed.p50Ms} ms, ${Math.round(bullRaw.jobsPerS)} jobs/s`);

    const topics = {
      newcomers: serviceEnv['INTAKE_NEWCOMERS_TOPIC']!,
      peers: serviceEnv['INTAKE_PEERS_TOPIC']!,
      erasures: serviceEnv['INTAKE_ERASURES_TOPIC']!,
      matches: serviceEnv['NOTIFIER_MATCHES_TOPIC']!,
      deliveries: serviceEnv['NOTIFIER_DELIVERIES_TOPIC']!,
    };
    await ensureTopics(kafka, Object.values(topics));
    await observer.start(kafka, `${runName}-observer`, topics);
    for (const name of ['intake', 'matching', 'notifier', 'console'] as const) await services.start({ name, url: serviceUrl(layout, name) }, say);
    const intakeUrl = serviceUrl(layout, 'intake');
    coordinator = coordinatorClient(serviceEnv['MATCHING_GRPC_ADDR']!, serviceEnv['MATCHING_SERVICE_TOKEN']!, 'co_bench');
    const matchingClient = coordinator;

    const population = new JourneyPopulation(runName);
    say(`seeding ${options.peers} peers through the intake API`);
    await seedPeers(intakeUrl, population.peers(options.peers));
    const peersReady = await (async () => {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        if ((await matchingClient.countPeers()) >= options.peers) return true;
        await sleep(500);
      }
      return false;
    })();
    if (!peersReady) throw new Error('matching did not take in every seeded peer within 180 s');
    say('matching knows every peer');
    services.startSampling();
    const loadStart = Date.now();
    const serverCpu = (): Record<string, number> =>
      Object.fromEntries(Object.entries(endpoints.pids).flatMap(([name, pid]) => {
        const cpu = pid === undefined ? undefined : readProcCpuSeconds(pid);
        return cpu === undefined ? [] : [[name, cpu]];
      }));
    const serverCpuAtStart = serverCpu();

    // Phase 1: steady rate; every proposal approved as soon as it appears, as an attentive coordinator would.
    const driver = new IntakeDriver(intakeUrl, population);
    const approvals = new Map<string, Approval>();
    let approving = true;
    observer.whenProposed((_newcomerId, proposal) => {
      if (!approving) return;
      const approval: Approval = {};
      approvals.set(proposal.matchId, approval);
      matchingClient
        .approve(proposal.matchId, () => (approval.sendingAt = Date.now()))
        .then(() => (approval.answeredAt = Date.now()))
        .catch((error: unknown) => (approval.error = error instanceof Error ? error.message : String(error)));
    });
    const idsOf = (phase: SentIntake['phase']) => driver.sent.filter((s) => s.phase === phase && s.id !== undefined).map((s) => s.id!);
    const allIntroduced = () =>
      [...approvals].every(([matchId, a]) => a.error !== undefined || (observer.delivered.get(matchId)?.size ?? 0) + (observer.failed.get(matchId) ?? 0) >= INTRODUCTIONS_PER_MATCH);
    const settle = (phase: SentIntake['phase'], timeoutMs: number) =>
      until(() => idsOf(phase).every((id) => observer.proposals.has(id)) && [...approvals.values()].every((a) => a.answeredAt !== undefined || a.error !== undefined) && allIntroduced(), timeoutMs);
    // A few journeys first, not counted: connection pools, JIT and the services' caches warm up.
    say('warm-up: 10 intakes, approved and introduced, not counted');
    await driver.paced(options.rate, 10 / options.rate, 'warm-up');
    if (!(await settle('warm-up', 180_000))) throw new Error('the warm-up journeys did not complete within 180 s; see the service logs');
    approvals.clear();

    say(`phase 1: ${options.rate} intakes/s for ${options.seconds} s, each proposal approved at once`);
    const steadyStart = Date.now();
    const steadyLag = sampleLag(driver, observer);
    await driver.paced(options.rate, options.seconds, 'steady');
    const steadyJudgement = judgeStep(steadyLag.stop(), options.seconds, options.rate);
    const settled = await settle('steady', 300_000);
    approving = false;
    if (!settled) say('phase 1 did not settle within 300 s; the figures count what arrived');

    const steadyEntries = driver.sent.filter((s) => s.phase === 'steady');
    const toProposalPoints = steadyEntries.flatMap((s) => {
      const proposal = s.id === undefined ? undefined : observer.proposals.get(s.id);
      return proposal ? [{ startMs: s.sentAt, valueMs: proposal.atMs - s.sentAt }] : [];
    });
    const toProposal = toProposalPoints.map((p) => p.valueMs);
    const postAnswered = steadyEntries.flatMap((s) => (s.answeredAt === undefined ? [] : [s.answeredAt - s.sentAt]));
    const toAllSentPoints: { startMs: number; valueMs: number }[] = [];
    const toFirstSent: number[] = [];
    for (const [matchId, approval] of approvals) {
      const times = [...(observer.delivered.get(matchId)?.values() ?? [])];
      if (approval.sendingAt === undefined || times.length === 0) continue;
      toFirstSent.push(Math.min(...times) - approval.sendingAt);
      if (times.length >= INTRODUCTIONS_PER_MATCH) toAllSentPoints.push({ startMs: approval.sendingAt, valueMs: Math.max(...times) - approval.sendingAt });
    }
    const toAllSent = toAllSentPoints.map((p) => p.valueMs);
    say(`phase 1: ${toProposal.length} proposals, ${toAllSent.length} matches fully introduced`);

    // Phase 2: rising steps; stop at the first whose backlog grows.
    const steps: StepReport[] = [];
    for (const rate of options.steps) {
      const stepStart = Date.now();
      const lag = sampleLag(driver, observer);
      say(`phase 2: ${rate} intakes/s for ${options.stepSeconds} s`);
      await driver.paced(rate, options.stepSeconds, rate);
      const samples = lag.stop();
      const stepEntries = driver.sent.filter((s) => s.phase === rate);
      const acceptedInTime = stepEntries.filter((s) => s.status === 201 && s.answeredAt !== undefined && s.answeredAt - stepStart <= options.stepSeconds * 1000 + 1000).length;
      const judgement = judgeStep(samples, options.stepSeconds, rate);
      const drainStart = Date.now();
      const drained = await until(() => stepEntries.every((s) => s.id === undefined || observer.proposals.has(s.id)), 120_000);
      const latencies = stepEntries.flatMap((s) => {
        const proposal = s.id === undefined ? undefined : observer.proposals.get(s.id);
        return proposal ? [proposal.atMs - s.sentAt] : [];
      });
      const step: StepReport = {
        ratePerS: rate,
        sent: stepEntries.length,
        accepted: stepEntries.filter((s) => s.status === 201).length,
        acceptedPerS: acceptedInTime / options.stepSeconds,
        judgement,
        lagAtEnd: samples.at(-1)?.lag ?? Number.NaN,
        drainS: drained ? (Date.now() - drainStart) / 1000 : Number.NaN,
        toProposal: summarize(latencies),
        sustained: false,
      };
      step.sustained = sustained(step);
      steps.push(step);
      say(`  accepted ${step.acceptedPerS.toFixed(1)}/s, lag slope ${judgement.lagSlopePerS.toFixed(2)}/s (tolerance ${judgement.toleranceSlopePerS.toFixed(2)}), ${step.sustained ? 'sustained' : 'NOT sustained'}`);
      if (!step.sustained || !drained) break;
    }

    const memory = services.memory();
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const serverCpuSeconds = Object.fromEntries(Object.entries(serverCpu()).map(([name, cpu]) => [name, cpu - (serverCpuAtStart[name] ?? cpu)]));
    const dead = services.deadServices();
    const report: JourneyReport = {
      command: `pnpm bench journey ${args.join(' ')}`.trim(),
      runName,
      startedAt: startedAt.toISOString(),
      machine: { cores: cpus().length, node: process.version, loadAverageStart: loadAtStart, loadAverageEnd: loadavg() },
      servers: { kafka: endpoints.kafkaVersion, mongo: endpoints.mongoServer, redis: endpoints.redisServer },
      settings: {
        peers: options.peers,
        matchingBatchWindowMs: Number(process.env['MATCHING_BATCH_WINDOW_MS'] ?? 2000),
        overrides,
        introductionsPerMatch: INTRODUCTIONS_PER_MATCH,
      },
      steady: {
        ratePerS: options.rate,
        seconds: options.seconds,
        sent: steadyEntries.length,
        accepted: steadyEntries.filter((s) => s.status === 201).length,
        refused: Object.fromEntries(driver.refused),
        intakePostAnswered: summarize(postAnswered),
        intakeToProposal: summarize(toProposal),
        approvals: approvals.size,
        approvalErrors: [...approvals.values()].filter((a) => a.error !== undefined).length,
        approvalToFirstSent: summarize(toFirstSent),
        approvalToAllSent: summarize(toAllSent),
        introductionsFailed: [...observer.failed.values()].reduce((a, b) => a + b, 0),
        settled,
        backlog: steadyJudgement,
        trend: {
          bucketS: 10,
          intakeToProposalP50Ms: percentileByBucket(toProposalPoints, steadyStart, 10_000, 50),
          approvalToAllSentP50Ms: percentileByBucket(toAllSentPoints, steadyStart, 10_000, 50),
        },
      },
      steps,
      highestSustainedPerS: highestSustainedRate(steps) ?? null,
      memory,
      loadSeconds,
      serverCpuSeconds,
      baselines: { kafka: kafkaRaw, bullmq: bullRaw, idleNodeRssMiB: nodeRss },
      deadServices: dead,
      undecodableEvents: observer.undecodable,
    };
    await teardown();
    const file = join(root, '.kindred', 'bench', `journey-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(renderReport(report));
    say(`figures written to ${file}; service logs in ${logDir}`);
    if (dead.length > 0) process.exitCode = 1;
  } catch (error) {
    // After Ctrl-C, requests to the stopping services fail: that is the interruption, not a failure to report.
    if (interrupted) return await new Promise<never>(() => undefined);
    say(`failed: ${error instanceof Error ? error.message : String(error)} (service logs in ${logDir})`);
    await teardown();
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
