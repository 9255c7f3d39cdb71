/**
 * The fault suite (`./kindred faults`): on an infrastructure instance of its own, run the four services under a
 * supervisor, drive a steady stream of intakes and a coordinator's approvals, and meanwhile SIGKILL every service,
 * restart Kafka, Redis and the MongoDB-wire server, and make SMTP answer 4xx and SMS 429/500 for a while. Then stop
 * the load, let the system drain, read every store and topic, and check the invariants. Exit code 0 only when there
 * are no violations. Settings: see fault-suite.config.ts. Results also go to .kindred/fault-results.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraDown, infraUp, restartServer, type InfraEndpoints } from '@kindred/infra-native';
import { sandboxClient } from '@kindred/sandbox';
import { localLayout, localServiceEnvironment, serviceUrl } from '../../deploy/local-services.js';
import { startCoordinator } from './coordinator.js';
import { faultSuiteConfig } from './fault-suite.config.js';
import { describeFault, faultSchedule, type Fault } from './fault-schedule.js';
import { checkInvariants, type InvariantResult } from './invariants.js';
import { enrollPeers, startIntakeStream, type LoadStats } from './load-generator.js';
import { seededRandom } from './seeded-random.js';
import { createSupervisor, type Supervisor } from './service-supervisor.js';
import { pendingWork, readSnapshot, type RunStores } from './store-reader.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const config = faultSuiteConfig(process.env);
const began = Date.now();
const say = (line: string): void => {
  process.stdout.write(`[faults +${((Date.now() - began) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function waitUntil(description: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description}`);
    await sleep(500);
  }
}

interface FaultLogEntry {
  readonly fault: string;
  readonly atMs: number;
  readonly outcome: string;
  /** False when the fault could not be applied or (provider windows) never met traffic. */
  readonly applied: boolean;
}

interface FaultsRun {
  /** Resolves when every kill and restart is done. */
  readonly disruptions: Promise<void>;
  /** Resolves when each provider window has refused some traffic (re-armed while it met none) or gave up. */
  readonly providerWindows: Promise<void>;
  readonly log: FaultLogEntry[];
}

function runFaults(
  schedule: readonly Fault[],
  loadStart: number,
  supervisor: Supervisor,
  infraEnv: NodeJS.ProcessEnv,
  sandboxUrl: string,
  notifierKillTimes: number[],
): FaultsRun {
  const log: FaultLogEntry[] = [];
  const sandbox = sandboxClient(sandboxUrl);
  const record = (fault: Fault, outcome: string, applied: boolean): void => {
    log.push({ fault: describeFault(fault), atMs: Date.now() - loadStart, outcome, applied });
    say(`fault: ${describeFault(fault)}: ${outcome}`);
  };
  // A window armed while nothing is being sent proves nothing: arm it again (up to 8 times) until it refused some.
  const providerWindow = async (fault: Fault & { seconds: number }, arm: () => Promise<unknown>, refusals: () => Promise<number>): Promise<void> => {
    const before = await refusals();
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      await arm();
      await sleep(fault.seconds * 1000 + 500);
      const refused = (await refusals()) - before;
      if (refused > 0) {
        record(fault, `${refused} sends refused (armed ${attempt} time${attempt === 1 ? '' : 's'})`, true);
        return;
      }
    }
    record(fault, 'NOT APPLIED: no send met the window in 8 tries', false);
  };
  const windows: Promise<void>[] = [];
  const disruptions = (async () => {
    // Server restarts run one after another: each must be over before the next server goes down.
    let restarts: Promise<void> = Promise.resolve();
    for (const fault of schedule) {
      await sleep(loadStart + fault.atMs - Date.now());
      switch (fault.kind) {
        case 'kill-service': {
          // A service between a kill and its restart cannot be killed again; wait for it to run.
          let pid: number | null = null;
          const deadline = Date.now() + 20_000;
          while ((pid = supervisor.kill(fault.service)) === null && Date.now() < deadline) await sleep(250);
          if (pid !== null && fault.service === 'notifier') notifierKillTimes.push(Date.now());
          record(fault, pid === null ? 'NOT APPLIED: the service was not running for 20 s' : `killed pid ${pid}`, pid !== null);
          break;
        }
        case 'restart-server':
          restarts = restarts.then(async () => {
            const restart = await restartServer(fault.server, { env: infraEnv, downMs: fault.downMs, log: () => undefined });
            record(fault, `pid ${restart.stoppedPid ?? '-'} → ${restart.pid}, unavailable ${(restart.downMs / 1000).toFixed(1)} s`, restart.stoppedPid !== null);
          });
          break;
        case 'smtp-4xx':
          say(`fault: ${describeFault(fault)}: armed`);
          windows.push(providerWindow(fault, () => sandbox.mailFaultWindow({ code: 451, seconds: fault.seconds }), () => sandbox.mailWindowRefusals()));
          break;
        case 'sms-429-500':
          say(`fault: ${describeFault(fault)}: armed`);
          windows.push(providerWindow(fault, () => sandbox.smsFaultWindow({ kinds: ['429', '500'], seconds: fault.seconds }), () => sandbox.smsWindowRefusals()));
          break;
      }
    }
    await restarts;
  })();
  return { disruptions, providerWindows: disruptions.then(() => Promise.all(windows)).then(() => undefined), log };
}

/** Polls until nothing is in flight three times in a row, or the deadline passes; true when settled. */
async function settle(stores: RunStores, deadline: number, proposalsPending: boolean, stillBusy: () => boolean): Promise<boolean> {
  let quiet = 0;
  let lastDetail = '';
  while (Date.now() < deadline) {
    const work = await pendingWork(stores, { proposalsPending }).catch((error: unknown) => ({ unsettled: -1, detail: String(error) }));
    const detail = `${work.detail}${stillBusy() ? ', provider fault windows still open' : ''}`;
    if (detail !== lastDetail) say(`drain: ${detail}`);
    lastDetail = detail;
    quiet = work.unsettled === 0 && !stillBusy() ? quiet + 1 : 0;
    // Quiet three polls in a row, seconds apart: the last outcome events have reached matching too.
    if (quiet >= 3) return true;
    await sleep(2_000);
  }
  return false;
}

function printResults(results: readonly InvariantResult[]): void {
  process.stdout.write('\nInvariants (checked / violations):\n');
  for (const result of results) {
    process.stdout.write(`  ${String(result.checked).padStart(6)} / ${String(result.violations.length).padEnd(4)} ${result.violations.length === 0 ? 'ok  ' : 'FAIL'}  ${result.name}\n`);
    for (const violation of result.violations.slice(0, 20)) process.stdout.write(`           ✗ ${violation}\n`);
    if (result.violations.length > 20) process.stdout.write(`           … and ${result.violations.length - 20} more\n`);
    for (const note of summariseNotes(result.notes)) process.stdout.write(`           · ${note}\n`);
  }
}

/** Permanent failures are listed once per reason, not once per delivery. */
function summariseNotes(notes: readonly string[]): string[] {
  const byReason = new Map<string, number>();
  const others: string[] = [];
  for (const note of notes) {
    const reason = /permanent failure recorded \((.+)\)$/.exec(note)?.[1];
    if (reason === undefined) others.push(note);
    else byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...[...byReason].map(([reason, count]) => `${count} introduction(s) ended in a recorded permanent failure (${reason})`), ...others];
}

async function main(): Promise<number> {
  say(`seed ${config.seed} (replay with FAULT_SEED=${config.seed}); load ${config.loadSeconds} s at ${config.intakesPerSecond}/s, ${config.peers} peers, drain ≤ ${config.drainSeconds} s`);
  const random = seededRandom(config.seed);
  const schedule = faultSchedule(seededRandom(config.seed ^ 0x5eed), {
    loadMs: config.loadSeconds * 1000,
    extraKills: config.extraKills,
    providerFaultSeconds: config.providerFaultSeconds,
  });
  for (const fault of schedule) say(`planned at +${(fault.atMs / 1000).toFixed(1)} s of load: ${describeFault(fault)}`);

  const infraEnv: NodeJS.ProcessEnv = { ...process.env, ...config.infraEnv };
  say(`starting a dedicated infrastructure instance in ${config.stateDir}`);
  await infraDown({ env: infraEnv, log: () => undefined });
  rmSync(config.stateDir, { recursive: true, force: true });
  let endpoints: InfraEndpoints | undefined;
  let supervisor: Supervisor | undefined;
  // Ctrl-C or a CI timeout: leave no services and no dedicated servers behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the services and the dedicated instance`);
      void (async () => {
        await supervisor?.stop().catch(() => undefined);
        if (!config.keepInfra) await infraDown({ env: infraEnv, log: () => undefined }).catch(() => undefined);
        process.exit(130);
      })();
    });
  }
  try {
    endpoints = await infraUp({ env: infraEnv, requireSandbox: true, log: (line) => say(`infra: ${line}`) });
    const sandboxUrl = endpoints.sandboxUrl ?? '';
    const layout = localLayout({ KINDRED_PORT_BASE: String(config.servicePortBase), KINDRED_RUN_NAME: config.runName });
    const serviceEnv = { ...process.env, ...localServiceEnvironment(endpoints, layout), ...config.serviceOverrides };
    const logDir = join(config.stateDir, 'services');
    mkdirSync(logDir, { recursive: true });
    supervisor = createSupervisor({
      root,
      services: layout.services,
      env: serviceEnv,
      logDir,
      random: seededRandom(config.seed ^ 0xbeef),
      restartDelayMs: [500, 3_000],
      log: say,
    });
    say('starting intake, matching, notifier and console');
    await supervisor.start();
    say(`services up; logs in ${logDir}`);

    const stores: RunStores = {
      mongoUrl: endpoints.mongoUrl,
      kafkaBrokers: endpoints.kafkaBrokers,
      redisUrl: endpoints.redisUrl,
      sandboxUrl,
      databases: { intake: serviceEnv['INTAKE_DB_NAME'] ?? '', matching: serviceEnv['MATCHING_DB_NAME'] ?? '', notifier: serviceEnv['NOTIFIER_DB_NAME'] ?? '' },
      consumerGroups: [serviceEnv['MATCHING_GROUP_ID'] ?? '', serviceEnv['NOTIFIER_KAFKA_GROUP'] ?? ''],
      deadLetterTopics: [`${serviceEnv['MATCHING_GROUP_ID'] ?? ''}.dlq`, `${serviceEnv['NOTIFIER_KAFKA_GROUP'] ?? ''}.dlq`],
      queuePrefix: serviceEnv['NOTIFIER_QUEUE_PREFIX'] ?? '',
      queueNames: ['kindred-notify-email', 'kindred-notify-sms'],
    };

    const intakeUrl = serviceUrl(layout, 'intake');
    const peerStats: LoadStats = { submitted: 0, accepted: 0, retries: 0, replayed: 0, abandoned: 0 };
    const peers = await enrollPeers(intakeUrl, config.peers, random, peerStats);
    const totalCapacity = peers.reduce((sum, p) => sum + p.capacity, 0);
    say(`enrolled ${peers.length} peers (total capacity ${totalCapacity}); waiting for matching to know them all`);
    const { MongoClient } = (await import('mongoose')).default.mongo;
    const mongo = new MongoClient(endpoints.mongoUrl);
    await waitUntil('matching to read every peer', 120_000, async () => (await mongo.db(stores.databases.matching).collection('peers').countDocuments({})) >= peers.length);
    await mongo.close();

    say('load: intakes and a coordinator start; faults follow the schedule');
    const loadStart = Date.now();
    const notifierKillTimes: number[] = [];
    const stream = startIntakeStream({ intakeUrl, perSecond: config.intakesPerSecond, imminentShare: 0.08, random, retryBudgetMs: 120_000 });
    const coordinator = startCoordinator({
      address: `127.0.0.1:${layout.matchingGrpcPort}`,
      token: serviceEnv['MATCHING_SERVICE_TOKEN'] ?? '',
      random,
      declineShare: 0.12,
      pollMs: 1_000,
    });
    const progress = setInterval(() => {
      const s = stream.stats;
      const c = coordinator.stats;
      say(`progress: intakes ${s.accepted}/${s.submitted} accepted (${s.retries} retries, ${s.replayed} replayed), approved ${c.approved}, declined ${c.declined}, failed calls ${c.failedCalls}`);
    }, 10_000);
    const faults = runFaults(schedule, loadStart, supervisor, infraEnv, sandboxUrl, notifierKillTimes);
    await sleep(loadStart + config.loadSeconds * 1000 - Date.now());
    say('load: stopping new intakes; waiting for the ones in flight');
    await stream.stop();
    await faults.disruptions;
    const s = stream.stats;
    say(`load done: ${s.accepted} intakes accepted of ${s.submitted} (${s.retries} retries, ${s.replayed} replayed after a lost answer, ${s.abandoned} abandoned)`);

    // The coordinator stays at the console until every proposal was decided (approved, or declined and re-proposed),
    // then the approvals' introductions settle.
    say(`drain: waiting (≤ ${config.drainSeconds} s) for every service to answer and all work to settle`);
    const drainDeadline = Date.now() + config.drainSeconds * 1000;
    await supervisor.waitHealthy(Math.max(10_000, drainDeadline - Date.now()));
    let windowsOpen = true;
    const windowsClosed = faults.providerWindows.finally(() => {
      windowsOpen = false;
    });
    const decided = await settle(stores, drainDeadline, true, () => windowsOpen);
    await coordinator.stop();
    clearInterval(progress);
    say(`coordinator: approved ${coordinator.stats.approved}, declined ${coordinator.stats.declined}, ${coordinator.stats.failedCalls} calls failed (and were tried again)`);
    const settled = decided && (await settle(stores, drainDeadline, false, () => windowsOpen));
    if (!windowsOpen) await windowsClosed;
    say(settled ? 'drain: settled' : 'drain: did NOT settle in time; checking anyway');
    say('stopping the services (SIGTERM), then reading every store and topic');
    await supervisor.stop();
    const snapshot = await readSnapshot(stores, { accepted: stream.accepted, peers, notifierKillTimes });
    const faultLog = faults.log;
    const notApplied = faultLog.filter((entry) => !entry.applied).map((entry) => `${entry.fault}: ${entry.outcome}`);
    const unfinished = [...schedule.map(describeFault)];
    for (const entry of faultLog) {
      const index = unfinished.indexOf(entry.fault);
      if (index !== -1) unfinished.splice(index, 1);
    }
    notApplied.push(...unfinished.map((fault) => `${fault}: not finished when the drain ended`));
    const results: InvariantResult[] = [
      { name: 'every planned fault was applied (provider windows refused real sends)', checked: schedule.length, violations: notApplied, notes: [] },
      ...checkInvariants(snapshot),
    ];
    printResults(results);
    const violations = results.reduce((sum, r) => sum + r.violations.length, 0);
    const restarts = Object.entries(supervisor.restarts).map(([name, n]) => `${name} ${n}`).join(', ');
    process.stdout.write(
      `\nSeed ${config.seed}; ${((Date.now() - began) / 1000).toFixed(0)} s; faults ${faultLog.length}; service restarts: ${restarts}; ` +
        `unexpected exits ${supervisor.unexpectedExits.length}; records read: ${snapshot.intakeSubjects.length} intake subjects, ` +
        `${snapshot.matches.length} matches, ${snapshot.deliveries.length} deliveries, ${snapshot.providerCopies.length} provider messages, ` +
        `${snapshot.deadLetters.length} dead letters\n`,
    );
    for (const exit of supervisor.unexpectedExits) process.stdout.write(`  unexpected exit: ${exit.name} code ${exit.code ?? '-'} signal ${exit.signal ?? '-'}\n`);
    process.stdout.write(`${violations === 0 ? 'FAULT SUITE PASSED' : 'FAULT SUITE FAILED'}: ${violations} violations\n`);
    writeResults({
      seed: config.seed,
      durationMs: Date.now() - began,
      invariants: results.map((r) => ({ name: r.name, checked: r.checked, violations: r.violations.length })),
      faults: faultLog,
      load: { ...s, approved: coordinator.stats.approved, declined: coordinator.stats.declined, peers: peers.length, capacity: totalCapacity },
      serviceRestarts: supervisor.restarts,
      unexpectedExits: supervisor.unexpectedExits.length,
    });
    return violations === 0 ? 0 : 1;
  } finally {
    if (supervisor !== undefined) await supervisor.stop().catch(() => undefined);
    if (config.keepInfra) say(`keeping the instance for debugging (FAULT_KEEP_INFRA): state in ${config.stateDir}`);
    else {
      await infraDown({ env: infraEnv, log: () => undefined }).catch((error: unknown) => say(`infra down failed: ${String(error)}`));
      say('dedicated instance stopped');
    }
  }
}

function writeResults(results: unknown): void {
  const file = join(root, '.kindred', 'fault-results.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

rmSync(join(root, '.kindred', 'fault-results.json'), { force: true });
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`the fault suite could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.stdout.write('FAULT SUITE FAILED: it did not complete\n');
    process.exit(2);
  },
);
