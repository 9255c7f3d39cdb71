/**
 * The README's run command (`./kindred up`): start the local servers, then the four services with development
 * settings, load demo data, print where to open everything, and stay in the foreground until Ctrl-C (or SIGTERM, or the terminal closes),
 * which stops the services (the servers keep running for the next start; `./kindred down` stops them too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraDown, infraUp } from '@kindred/infra-native';
import { ensureDemoAccounts } from './demo-data.js';
import { demoNewcomers, demoPeerCount, demoPeers } from './demo/population.js';
import { seedDemoPopulation, type SeedSummary } from './demo/seed.js';
import { demoPassword, localLayout, localServiceEnvironment, serviceUrl, type LocalService } from './local-services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env['KINDRED_CACHE'] ?? join(process.env['HOME'] ?? '/tmp', '.cache', 'kindred');
const layout = localLayout();
const runDir = join(cache, 'state', layout.name === '' ? 'services' : `services-${layout.name}`);
const pidFile = join(runDir, 'services.json');
const say = (line: string) => process.stderr.write(`[kindred] ${line}\n`);
// After a closed terminal (SIGHUP) writes fail; the services must still be stopped, so write errors are dropped.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function stopRecorded(): void {
  if (!existsSync(pidFile)) return;
  const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as Record<string, number>;
  for (const [name, pid] of Object.entries(pids)) {
    try {
      process.kill(pid, 'SIGTERM');
      say(`stopped ${name} (pid ${pid})`);
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}

async function waitHealthy(service: LocalService, child: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${service.name} exited with code ${child.exitCode}; see ${join(runDir, `${service.name}.log`)}`);
    try {
      const response = await fetch(`${service.url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} did not answer /healthz in time; see ${join(runDir, `${service.name}.log`)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A line every 20 s while `work` runs, so a long quiet step (a download, a busy machine) does not look stuck. */
async function stillWaiting<T>(line: () => string, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => say(line()), 20_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

if (process.argv.includes('--stop')) {
  stopRecorded();
  await infraDown();
  process.exit(0);
}

stopRecorded(); // a previous run that was killed hard may have left services behind
const startedAt = Date.now();
let peerCount: number;
try {
  peerCount = demoPeerCount();
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(78); // EX_CONFIG, as the services exit on a bad setting
}
const firstRun = !existsSync(cache) || !readdirSync(cache).some((entry) => entry.startsWith('kafka-'));
say(
  firstRun
    ? 'starting the local servers. First run on this machine: Kafka and the MongoDB-wire server come from Maven Central and Redis from apt, which takes a few minutes; later starts reuse them'
    : 'starting the local servers (Kafka, MongoDB-wire, Redis, mail and SMS sandbox), or reusing the running ones',
);
const endpoints = await stillWaiting(
  () => `still starting the local servers (${seconds(startedAt)}${firstRun ? '; the first run downloads them' : ''})`,
  infraUp({ requireSandbox: true, log: (line) => say(`infra: ${line}`) }),
);
say(`local servers ready (${seconds(startedAt)})`);
const env = localServiceEnvironment(endpoints, layout);
mkdirSync(runDir, { recursive: true });

const children = new Map<string, ChildProcess>();
/** SIGTERM to every service, then wait for each to finish its graceful shutdown (bounded). */
const stopAll = async () => {
  const exits = [...children.values()]
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 30_000).unref();
    }));
  await Promise.all(exits);
  rmSync(pidFile, { force: true });
};
// SIGHUP too: closing the terminal must not leave the services running without their launcher.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    say('stopping the services');
    void stopAll().then(() => process.exit(0));
  });
}

let demo: SeedSummary;
try {
  // One after another: measured on this 2-core machine under load, starting all four at once was no faster (tsx
  // compiles each service on start, and they compete for the same cores), and a failure names one service.
  for (const service of layout.services) {
    const since = Date.now();
    say(`starting ${service.name} (log: ${join(runDir, `${service.name}.log`)})`);
    const log = openSync(join(runDir, `${service.name}.log`), 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'services', service.name, 'src', 'main.ts')], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
    });
    children.set(service.name, child);
    writeFileSync(pidFile, JSON.stringify(Object.fromEntries([...children].map(([name, c]) => [name, c.pid]))));
    await stillWaiting(() => `still starting ${service.name} (${seconds(since)})`, waitHealthy(service, child, 90_000));
    say(`${service.name} is up on ${service.url} (${seconds(since)})`);
  }
  await ensureDemoAccounts(env, demoPassword());
  const peers = demoPeers(peerCount);
  const newcomers = demoNewcomers();
  const seedingSince = Date.now();
  demo = await seedDemoPopulation({
    intakeUrl: serviceUrl(layout, 'intake'),
    mongoUrl: endpoints.mongoUrl,
    intakeDbName: env['INTAKE_DB_NAME'] ?? '',
    matchingDbName: env['MATCHING_DB_NAME'] ?? '',
    peers,
    newcomers,
    say,
    write: (text) => process.stderr.write(text),
    tty: process.stderr.isTTY,
  });
  const placed = `${demo.newcomers.proposed} with a proposal, ${demo.newcomers.urgent} urgent${demo.newcomers.waiting > 0 ? `, ${demo.newcomers.waiting} still waiting` : ''}`;
  say(
    demo.alreadyLoaded
      ? `demo data: already loaded (${peers.length} peers, ${newcomers.length} newcomers: ${placed}); nothing posted`
      : `demo data: loaded ${peers.length} peers and ${newcomers.length} newcomers (${placed}) in ${seconds(seedingSince)}`,
  );
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  await stopAll();
  process.exit(1);
}

const sandbox = endpoints.sandboxUrl ?? '(not running)';
const password = demoPassword();
process.stdout.write(`
Kindred is running (started in ${seconds(startedAt)}${layout.name === '' ? '' : `, run "${layout.name}"`}).
  Intake form (newcomers)    ${serviceUrl(layout, 'intake')}/intake
  Peer enrollment            ${serviceUrl(layout, 'intake')}/peers/enroll
  Coordinator console        ${serviceUrl(layout, 'console')}
    sign in                  user "coordinator" (or "admin"), password ${password}
  Mail inbox                 ${sandbox}/#mail
  SMS sandbox                ${sandbox}/#sms
  Notifier queue board       ${serviceUrl(layout, 'notifier')}/admin/queues (header "Authorization: Bearer ${env['NOTIFIER_COORDINATOR_TOKEN'] ?? ''}")
  Logs                       ${runDir}/{${layout.services.map((s) => s.name).join(',')}}.log
  Demo data                  ${demo.peersInMatching} peers; ${demo.newcomers.proposed + demo.newcomers.urgent + demo.newcomers.waiting} newcomers waiting (${demo.newcomers.proposed} with a proposal, ${demo.newcomers.urgent} urgent)
Press Ctrl-C to stop the services (the servers keep running for a fast next start; ./kindred down stops them too).
`);
await new Promise(() => undefined);
