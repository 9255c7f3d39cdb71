import { mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { InfraConfig } from './infra-config.js';
import { InfraError } from './infra-error.js';
import { isAlive, type ProcessIdentity } from './process-control.js';
import type { ServerName } from './server-definition.js';

/** What infra.json holds: everything a test or a service needs to reach the running servers. */
export interface InfraEndpoints {
  readonly kafkaBrokers: string;
  readonly mongoUrl: string;
  readonly redisUrl: string;
  /** null when packages/sandbox is absent and no SMTP capture runs. */
  readonly smtpUrl: string | null;
  readonly sandboxUrl: string | null;
  readonly twilioAuthToken: string;
  readonly kafkaVersion: string;
  /** "mongo-java-server 1.47.0 (H2)" or "mongod <version>". */
  readonly mongoServer: string;
  readonly redisServer: string;
  readonly pids: Readonly<Partial<Record<ServerName, number>>>;
}

/** The pid file of one server we started: enough to find it again and to prove a pid is still ours. */
export interface PidRecord {
  readonly pid: number;
  readonly description: string;
  readonly identity: ProcessIdentity;
  readonly ports: readonly number[];
  readonly logFile: string;
  readonly startedAt: string;
}

export const infraJsonPath = (config: InfraConfig): string => join(config.stateDir, 'infra.json');
const pidPath = (config: InfraConfig, name: ServerName): string => join(config.stateDir, 'run', `${name}.pid.json`);
export const serverLogPath = (config: InfraConfig, name: ServerName): string => join(config.stateDir, 'logs', `${name}.log`);

export function ensureStateDirs(config: InfraConfig): void {
  for (const dir of ['logs', 'run']) mkdirSync(join(config.stateDir, dir), { recursive: true });
}

function writeAtomically(path: string, text: string): void {
  const staging = `${path}.${process.pid}.tmp`;
  writeFileSync(staging, text);
  renameSync(staging, path);
}

export function readPidRecord(config: InfraConfig, name: ServerName): PidRecord | null {
  try {
    return JSON.parse(readFileSync(pidPath(config, name), 'utf8')) as PidRecord;
  } catch {
    return null;
  }
}

export function writePidRecord(config: InfraConfig, name: ServerName, record: PidRecord): void {
  writeAtomically(pidPath(config, name), `${JSON.stringify(record, null, 2)}\n`);
}

export function removePidRecord(config: InfraConfig, name: ServerName): void {
  rmSync(pidPath(config, name), { force: true });
}

export function writeInfraJson(config: InfraConfig, endpoints: InfraEndpoints): void {
  writeAtomically(infraJsonPath(config), `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function removeInfraJson(config: InfraConfig): void {
  rmSync(infraJsonPath(config), { force: true });
}

export function readInfraJson(config: InfraConfig): InfraEndpoints {
  const path = infraJsonPath(config);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InfraError('INFRA.NOT_RUNNING', `${path} does not exist: start the infrastructure with "pnpm infra up"`);
  }
  const parsed = JSON.parse(text) as Partial<InfraEndpoints>;
  for (const key of ['kafkaBrokers', 'mongoUrl', 'redisUrl', 'twilioAuthToken', 'kafkaVersion', 'mongoServer'] as const) {
    if (typeof parsed[key] !== 'string') {
      throw new InfraError('INFRA.NOT_RUNNING', `${path} lacks "${key}": run "pnpm infra up" again to rewrite it`);
    }
  }
  return parsed as InfraEndpoints;
}

/**
 * One launcher at a time per state dir (vitest's global setup and a developer's `pnpm infra up` may race).
 * Returns the release function.
 */
export async function acquireLock(config: InfraConfig, log: (line: string) => void, timeoutMs = 600_000): Promise<() => void> {
  const path = join(config.stateDir, 'infra.lock');
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const content = readFileSafe(path);
    const holder = Number(content);
    // An empty file is a launcher between creating the lock and writing its pid, unless it is old.
    const stale = content === '' ? Date.now() - mtimeMs(path) > 5_000 : !Number.isInteger(holder) || holder <= 0 || !isAlive(holder);
    if (stale) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new InfraError('INFRA.LOCKED', `another launcher (pid ${content || '?'}) still holds ${path} after ${timeoutMs / 1000} s`);
    }
    if (!announced) {
      log(`waiting for another launcher (pid ${content || '?'}) to finish`);
      announced = true;
    }
    await delay(250);
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
