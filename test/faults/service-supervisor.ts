import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from './fault-schedule.js';
import type { SeededRandom } from './seeded-random.js';

export interface SupervisedService {
  readonly name: ServiceName;
  /** Where /healthz answers. */
  readonly url: string;
}

export interface Supervisor {
  /** Starts every service and resolves once each answers /healthz. */
  start(): Promise<void>;
  /** SIGKILLs a service; the supervisor starts it again after a short random delay, as an orchestrator would. */
  kill(name: ServiceName): number | null;
  /** Resolves once every service answers /healthz (after kills and restarts). */
  waitHealthy(timeoutMs: number): Promise<void>;
  /** SIGTERM to every service (no more restarts); resolves when all have exited. */
  stop(): Promise<void>;
  /** Restarts per service, and exits that were not ours (a service that crashed on its own). */
  readonly restarts: Record<ServiceName, number>;
  readonly unexpectedExits: { name: ServiceName; code: number | null; signal: string | null; at: number }[];
}

export function createSupervisor(options: {
  root: string;
  services: readonly SupervisedService[];
  env: NodeJS.ProcessEnv;
  logDir: string;
  random: SeededRandom;
  restartDelayMs: readonly [number, number];
  log: (line: string) => void;
}): Supervisor {
  const children = new Map<ServiceName, ChildProcess>();
  const killedByUs = new Set<ChildProcess>();
  const restarts: Record<ServiceName, number> = { intake: 0, matching: 0, notifier: 0, console: 0 };
  const unexpectedExits: Supervisor['unexpectedExits'] = [];
  let stopping = false;

  const launch = (service: SupervisedService): ChildProcess => {
    const logFile = join(options.logDir, `${service.name}.log`);
    const fd = openSync(logFile, 'a');
    writeSync(fd, `\n===== ${new Date().toISOString()} start ${service.name} =====\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', join(options.root, 'services', service.name, 'src', 'main.ts')], {
      cwd: options.root,
      env: options.env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    children.set(service.name, child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (!killedByUs.has(child)) {
        unexpectedExits.push({ name: service.name, code, signal, at: Date.now() });
        options.log(`${service.name} (pid ${child.pid ?? '?'}) exited on its own (code ${code ?? '-'}, signal ${signal ?? '-'}); restarting it`);
      }
      const [min, max] = options.restartDelayMs;
      setTimeout(() => {
        if (stopping) return;
        restarts[service.name] += 1;
        launch(service);
      }, options.random.int(min, max));
    });
    return child;
  };

  const healthy = async (service: SupervisedService): Promise<boolean> => {
    try {
      const response = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  };

  const waitHealthy = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (const service of options.services) {
      while (!(await healthy(service))) {
        if (Date.now() > deadline) throw new Error(`${service.name} did not answer ${service.url}/healthz within ${timeoutMs / 1000} s; see ${join(options.logDir, `${service.name}.log`)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };

  return {
    restarts,
    unexpectedExits,
    async start() {
      for (const service of options.services) launch(service);
      await waitHealthy(120_000);
    },
    kill(name) {
      const child = children.get(name);
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return null;
      killedByUs.add(child);
      child.kill('SIGKILL');
      return child.pid ?? null;
    },
    waitHealthy,
    async stop() {
      stopping = true;
      await Promise.all(
        [...children.values()]
          .filter((child) => child.exitCode === null && child.signalCode === null)
          .map(
            (child) =>
              new Promise<void>((resolve) => {
                const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
                child.once('exit', () => {
                  clearTimeout(force);
                  resolve();
                });
                child.kill('SIGTERM');
              }),
          ),
      );
    },
  };
}
