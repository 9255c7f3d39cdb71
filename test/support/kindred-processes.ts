import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestInfra } from '@kindred/testkit';
import { waitFor } from '@kindred/testkit';
import { ensureDemoAccounts } from '../../deploy/demo-data.js';
import { localLayout, localServiceEnvironment, serviceUrl, type LocalService } from '../../deploy/local-services.js';
import { freeServicePortBase, healthy } from './service-ports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface KindredProcesses {
  readonly runName: string;
  readonly urls: Readonly<Record<LocalService['name'], string>>;
  /** The databases the run's services own. */
  readonly databases: readonly string[];
  /** One file per service: its stdout and stderr. */
  readonly logFiles: readonly string[];
  readonly twilioFrom: string;
  readonly consolePassword: string;
  /** The services that exited on their own, each with its exit code and log file. */
  crashed(): string[];
  /** SIGTERM to each service (SIGKILL after 30 s); resolves when all have exited. */
  stop(): Promise<void>;
}

/**
 * The four services as separate processes, started the way `./kindred up` starts them (deploy/local-services.ts),
 * on the shared servers under a run name of their own (own databases, topics, queue and session prefixes), each
 * writing stdout and stderr to a log file in `logDir`.
 */
export async function startKindredProcesses(
  infra: TestInfra,
  runName: string,
  logDir: string,
  overrides: Readonly<Record<string, string>>,
): Promise<KindredProcesses> {
  if (infra.sandboxUrl === undefined) throw new Error('the four services as processes need the SMTP/SMS sandbox');
  const base = await freeServicePortBase(26_000, 300, 'the four services');
  const layout = localLayout({ KINDRED_PORT_BASE: String(base), KINDRED_RUN_NAME: runName });
  const env = {
    ...localServiceEnvironment(
      {
        kafkaBrokers: infra.kafkaBrokers.join(','),
        mongoUrl: infra.mongoUrl,
        redisUrl: infra.redisUrl,
        smtpUrl: infra.smtpUrl,
        sandboxUrl: infra.sandboxUrl,
        twilioAuthToken: infra.twilioAuthToken,
        kafkaVersion: '',
        mongoServer: '',
        redisServer: '',
        pids: {},
      },
      layout,
    ),
    ...overrides,
  };
  mkdirSync(logDir, { recursive: true });
  const children: ChildProcess[] = [];
  const logFiles: string[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all(
      children
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map(
          (child) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
    );
  };
  try {
    for (const service of layout.services) {
      const file = join(logDir, `${service.name}.log`);
      const fd = openSync(file, 'w');
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'services', service.name, 'src', 'main.ts')], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      children.push(child);
      logFiles.push(file);
      const state = await waitFor(async () => (child.exitCode !== null ? 'exited' : (await healthy(service.url)) && 'up'), {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: `${service.name} to answer /healthz (log: ${file})`,
      });
      if (state === 'exited') throw new Error(`${service.name} exited with code ${child.exitCode}; see ${file}`);
    }
    const consolePassword = randomBytes(12).toString('base64url');
    await ensureDemoAccounts(env, consolePassword);
    return {
      runName,
      urls: {
        intake: serviceUrl(layout, 'intake'),
        matching: serviceUrl(layout, 'matching'),
        notifier: serviceUrl(layout, 'notifier'),
        console: serviceUrl(layout, 'console'),
      },
      databases: [env['INTAKE_DB_NAME'], env['MATCHING_DB_NAME'], env['NOTIFIER_DB_NAME']].filter((d): d is string => d !== undefined),
      logFiles,
      twilioFrom: env['TWILIO_FROM'] ?? '',
      consolePassword,
      crashed: () =>
        stopping
          ? []
          : children.flatMap((child, index) =>
              child.exitCode === null && child.signalCode === null ? [] : [`${layout.services[index]?.name ?? '?'} exited (${child.exitCode ?? child.signalCode}); see ${logFiles[index] ?? '?'}`],
            ),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
