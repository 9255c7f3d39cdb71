/**
 * The README's run command (`./kindred up`): start the local servers, then the four services with development
 * settings, load demo data, print where to open everything, and stay in the foreground until Ctrl-C (or SIGTERM),
 * which stops the services (the servers keep running for the next start; `./kindred down` stops them too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraDown, infraUp } from '@kindred/infra-native';
import { ensureDemoAccounts, loadDemoData } from './demo-data.js';
import { demoPassword, localLayout, localServiceEnvironment, serviceUrl, type LocalService } from './local-services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env['KINDRED_CACHE'] ?? join(process.env['HOME'] ?? '/tmp', '.cache', 'kindred');
const layout = localLayout();
const runDir = join(cache, 'state', layout.name === '' ? 'services' : `services-${layout.name}`);
const pidFile = join(runDir, 'services.json');
const say = (line: string) => process.stderr.write(`[kindred] ${line}\n`);

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

if (process.argv.includes('--stop')) {
  stopRecorded();
  await infraDown();
  process.exit(0);
}

stopRecorded(); // a previous run that was killed hard may have left services behind
const endpoints = await infraUp({ requireSandbox: true });
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
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say('stopping the services');
    void stopAll().then(() => process.exit(0));
  });
}

try {
  for (const service of layout.services) {
    const log = openSync(join(runDir, `${service.name}.log`), 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'services', service.name, 'src', 'main.ts')], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
    });
    children.set(service.name, child);
    writeFileSync(pidFile, JSON.stringify(Object.fromEntries([...children].map(([name, c]) => [name, c.pid]))));
    await waitHealthy(service, child, 60_000);
    say(`${service.name} is up`);
  }
  for (const line of await ensureDemoAccounts(env, demoPassword())) say(line);
  for (const line of await loadDemoData(serviceUrl(layout, 'intake'))) say(line);
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  await stopAll();
  process.exit(1);
}

process.stdout.write(`
Kindred is running.
  Intake form (newcomers)    ${serviceUrl(layout, 'intake')}/intake
  Peer enrollment            ${serviceUrl(layout, 'intake')}/peers/enroll
  Coordinator console        ${serviceUrl(layout, 'console')}
  Mail and SMS sandbox       ${endpoints.sandboxUrl ?? '(not running)'}
  Notifier (queues, metrics) ${serviceUrl(layout, 'notifier')}/admin/queues
  Logs                       ${runDir}
Press Ctrl-C to stop the services (./kindred down also stops the servers).
`);
await new Promise(() => undefined);
