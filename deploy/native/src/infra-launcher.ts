import { appendFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveInfraConfig, SANDBOX_TWILIO_AUTH_TOKEN, type InfraConfig } from './infra-config.js';
import { InfraError } from './infra-error.js';
import { kafkaServer } from './kafka.server.js';
import { mongoServer } from './mongo.server.js';
import { assertPortFree, findPortHolder, isPortFree } from './port-check.js';
import { isAlive, isOurProcess, killProcess, spawnDetached, stopProcess, type DetachedProcess } from './process-control.js';
import { redisServer } from './redis.server.js';
import { sandboxServer } from './sandbox.server.js';
import type { PreparedServer, ServerDefinition, ServerName } from './server-definition.js';
import {
  acquireLock,
  ensureStateDirs,
  readInfraJson,
  readPidRecord,
  removeInfraJson,
  removePidRecord,
  serverLogPath,
  writeInfraJson,
  writePidRecord,
  type InfraEndpoints,
  type PidRecord,
} from './state-files.js';
import { logTail } from './tool-runner.js';

export interface InfraOptions {
  /** Environment to read ports/cache from and to hand to tools and servers; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines; defaults to stdout with an "[infra]" prefix. */
  readonly log?: (line: string) => void;
}

export interface InfraUpOptions extends InfraOptions {
  /** Fail instead of carrying on without the SMTP/SMS sandbox when packages/sandbox is absent. */
  readonly requireSandbox?: boolean;
  /** Start only these servers (default: all). */
  readonly only?: readonly ServerName[];
  /** Aborting stops whatever this call already started. */
  readonly signal?: AbortSignal;
}

export type ServerState = 'healthy' | 'unhealthy' | 'stopped' | 'unavailable';

export interface ServerStatus {
  readonly name: ServerName;
  readonly state: ServerState;
  readonly address: string;
  readonly pid: number | null;
  readonly description: string | null;
  readonly detail: string | null;
}

const defaultLog = (line: string): void => {
  process.stdout.write(`[infra] ${line}\n`);
};

/** Start order; `down` goes the other way. Kafka boots slowest, so it starts after the quick ones are built. */
function serverDefinitions(config: InfraConfig): ServerDefinition[] {
  return [redisServer(config), mongoServer(config), kafkaServer(config), sandboxServer(config)];
}

function samePorts(record: PidRecord, server: ServerDefinition): boolean {
  const wanted = server.ports.map((setting) => setting.port);
  return record.ports.length === wanted.length && record.ports.every((port, index) => port === wanted[index]);
}

async function answers(server: ServerDefinition, timeoutMs: number): Promise<string | null> {
  try {
    await server.probe(timeoutMs);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

interface Started {
  readonly server: ServerDefinition;
  readonly process: DetachedProcess;
  readonly logFile: string;
  readonly record: PidRecord;
}

async function spawnServer(config: InfraConfig, server: ServerDefinition, command: PreparedServer, log: (line: string) => void): Promise<Started> {
  const logFile = serverLogPath(config, server.name);
  appendFileSync(logFile, `\n===== ${new Date().toISOString()} starting ${command.description} =====\n`);
  const child = await spawnDetached({ ...command, logFile });
  const record: PidRecord = {
    pid: child.pid,
    description: command.description,
    identity: command.identity,
    ports: server.ports.map((setting) => setting.port),
    logFile,
    startedAt: new Date().toISOString(),
  };
  writePidRecord(config, server.name, record);
  log(`${server.name}: started ${command.description} (pid ${child.pid}) on ${server.address}; log: ${logFile}`);
  return { server, process: child, logFile, record };
}

async function waitUntilReady(started: Started, signal: AbortSignal | undefined): Promise<void> {
  const { server, process: child, logFile } = started;
  const deadline = Date.now() + server.readyTimeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    signal?.throwIfAborted();
    const exit = child.exitCode();
    if (exit !== null || !isAlive(child.pid)) {
      throw new InfraError(
        'INFRA.START_FAILED',
        `${server.name} (pid ${child.pid}) exited (${exit ?? 'gone'}) before it was ready; log: ${logFile}\n${logTail(logFile)}`,
        logFile,
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new InfraError(
        'INFRA.NOT_READY',
        `${server.name} (pid ${child.pid}) did not answer on ${server.address} within ${server.readyTimeoutMs / 1000} s ` +
          `(last: ${lastProblem}); log: ${logFile}\n${logTail(logFile)}`,
        logFile,
      );
    }
    const problem = await answers(server, Math.min(remaining, 10_000));
    if (problem === null) return;
    lastProblem = problem;
    await delay(500);
  }
}

function endpointsFrom(config: InfraConfig, records: Partial<Record<ServerName, PidRecord>>): InfraEndpoints {
  const { ports } = config;
  const pids: Partial<Record<ServerName, number>> = {};
  for (const [name, record] of Object.entries(records)) pids[name as ServerName] = record.pid;
  const sandboxUp = records.sandbox !== undefined;
  return {
    kafkaBrokers: `127.0.0.1:${ports.kafka.port}`,
    mongoUrl: `mongodb://127.0.0.1:${ports.mongo.port}`,
    redisUrl: `redis://127.0.0.1:${ports.redis.port}`,
    smtpUrl: sandboxUp ? `smtp://127.0.0.1:${ports.smtp.port}` : null,
    sandboxUrl: sandboxUp ? `http://127.0.0.1:${ports.sandbox.port}` : null,
    twilioAuthToken: SANDBOX_TWILIO_AUTH_TOKEN,
    kafkaVersion: config.kafkaVersion,
    mongoServer: records.mongo?.description ?? 'unknown',
    redisServer: records.redis?.description ?? 'unknown',
    pids,
  };
}

/**
 * Brings every server up, reusing the ones we started before that still answer, and writes infra.json.
 * On failure it stops whatever this call started and throws an InfraError.
 */
export async function infraUp(options: InfraUpOptions = {}): Promise<InfraEndpoints> {
  const config = resolveInfraConfig(options.env ?? process.env);
  const log = options.log ?? defaultLog;
  const { signal } = options;
  ensureStateDirs(config);
  const release = await acquireLock(config, log);
  const started: Started[] = [];
  try {
    const records: Partial<Record<ServerName, PidRecord>> = {};
    const servers = serverDefinitions(config).filter((server) => {
      if (options.only !== undefined && !options.only.includes(server.name)) return false;
      const reason = server.unavailableReason();
      if (reason === null) return true;
      if (options.requireSandbox === true) throw new InfraError('INFRA.START_FAILED', `${server.name}: ${reason}`);
      log(`${server.name}: NOT started: ${reason}`);
      return false;
    });

    const reuse = await Promise.all(
      servers.map(async (server) => {
        const record = readPidRecord(config, server.name);
        if (record === null) return false;
        const ours = isOurProcess(record.pid, record.identity);
        if (ours && samePorts(record, server)) {
          // A busy 2-core machine (a test run in full swing) can take seconds to answer; restarting a live server
          // under other people's feet is far worse than waiting for it.
          const problem = await answers(server, 30_000);
          if (problem === null) {
            records[server.name] = record;
            log(`${server.name}: already running (${record.description}, pid ${record.pid}, ${server.address})`);
            return true;
          }
          log(`${server.name}: pid ${record.pid} is ours but does not answer (${problem}); restarting it`);
        } else if (ours) {
          log(`${server.name}: pid ${record.pid} runs on other ports; restarting it on ${server.address}`);
        }
        if (ours) await stopProcess(record.pid);
        removePidRecord(config, server.name);
        return false;
      }),
    );
    const toStart = servers.filter((_, index) => reuse[index] !== true);

    for (const server of toStart) {
      for (const setting of server.ports) await assertPortFree(setting, server.name);
    }

    // Fetch, build and configure everything before starting anything: a missing tool or a failed download
    // then leaves no server behind.
    const prepared: PreparedServer[] = [];
    for (const server of toStart) {
      signal?.throwIfAborted();
      prepared.push(await server.prepare({ config, log }));
    }

    for (const [index, server] of toStart.entries()) {
      signal?.throwIfAborted();
      const command = prepared[index];
      if (command === undefined) throw new Error(`no prepared command for ${server.name}`);
      const entry = await spawnServer(config, server, command, log);
      started.push(entry);
      records[server.name] = entry.record;
    }

    await Promise.all(
      started.map(async (entry) => {
        const since = Date.now();
        await waitUntilReady(entry, signal);
        log(`${entry.server.name}: ready after ${((Date.now() - since) / 1000).toFixed(1)} s`);
      }),
    );

    const endpoints = endpointsFrom(config, records);
    writeInfraJson(config, endpoints);
    return endpoints;
  } catch (error) {
    for (const entry of started.reverse()) {
      log(`${entry.server.name}: stopping pid ${entry.process.pid} (this start failed)`);
      await stopProcess(entry.process.pid);
      removePidRecord(config, entry.server.name);
    }
    if (started.length > 0) removeInfraJson(config);
    throw error;
  } finally {
    release();
  }
}

/** Stops exactly the processes recorded in our pid files that are still ours: SIGTERM, then SIGKILL. */
export async function infraDown(options: InfraOptions = {}): Promise<void> {
  const config = resolveInfraConfig(options.env ?? process.env);
  const log = options.log ?? defaultLog;
  ensureStateDirs(config);
  const release = await acquireLock(config, log);
  try {
    removeInfraJson(config);
    for (const server of serverDefinitions(config).reverse()) {
      const record = readPidRecord(config, server.name);
      if (record === null) continue;
      if (isOurProcess(record.pid, record.identity)) {
        const outcome = await stopProcess(record.pid, server.name === 'kafka' ? 30_000 : 10_000);
        log(`${server.name}: pid ${record.pid} ${outcome}`);
      } else {
        log(`${server.name}: pid ${record.pid} is no longer ours (exited or reused); forgetting it`);
      }
      removePidRecord(config, server.name);
    }
  } finally {
    release();
  }
}

export async function infraStatus(options: InfraOptions = {}): Promise<ServerStatus[]> {
  const config = resolveInfraConfig(options.env ?? process.env);
  return Promise.all(
    serverDefinitions(config).map(async (server): Promise<ServerStatus> => {
      const base = { name: server.name, address: server.address };
      const reason = server.unavailableReason();
      if (reason !== null) return { ...base, state: 'unavailable', pid: null, description: null, detail: reason };
      const record = readPidRecord(config, server.name);
      if (record === null || !isOurProcess(record.pid, record.identity)) {
        const detail = await portNote(server);
        return { ...base, state: 'stopped', pid: null, description: record?.description ?? null, detail };
      }
      const problem = await answers(server, 5_000);
      return {
        ...base,
        state: problem === null ? 'healthy' : 'unhealthy',
        pid: record.pid,
        description: record.description,
        detail: problem,
      };
    }),
  );
}

async function portNote(server: ServerDefinition): Promise<string | null> {
  for (const setting of server.ports) {
    if (!(await isPortFree(setting.port))) {
      const holder = findPortHolder(setting.port);
      return `port ${setting.port} is held by ${holder === null ? 'another process' : `pid ${holder.pid}`} (${setting.envVar} moves it)`;
    }
  }
  return null;
}

/** The endpoints of the running infrastructure (infra.json); throws INFRA.NOT_RUNNING when there is none. */
export function readInfraEndpoints(env: NodeJS.ProcessEnv = process.env): InfraEndpoints {
  return readInfraJson(resolveInfraConfig(env));
}

export interface ServerStopOptions extends InfraOptions {
  /** SIGKILL at once (a crash) instead of SIGTERM and a grace period (an orderly restart). */
  readonly kill?: boolean;
}

function definitionOf(config: InfraConfig, name: ServerName): ServerDefinition {
  const server = serverDefinitions(config).find((candidate) => candidate.name === name);
  if (server === undefined) throw new InfraError('INFRA.BAD_CONFIG', `no server named ${JSON.stringify(name)} (redis, mongo, kafka, sandbox)`);
  return server;
}

/** Keeps infra.json's pids current after one server of a running instance changed. */
function recordPidInInfraJson(config: InfraConfig, name: ServerName, pid: number | null): void {
  let endpoints: InfraEndpoints;
  try {
    endpoints = readInfraJson(config);
  } catch {
    return;
  }
  const pids: Partial<Record<ServerName, number>> = { ...endpoints.pids };
  if (pid === null) delete pids[name];
  else pids[name] = pid;
  writeInfraJson(config, { ...endpoints, pids });
}

async function stopRecorded(config: InfraConfig, name: ServerName, kill: boolean, log: (line: string) => void): Promise<number | null> {
  const record = readPidRecord(config, name);
  if (record === null) return null;
  if (!isOurProcess(record.pid, record.identity)) {
    log(`${name}: pid ${record.pid} is no longer ours (exited or reused); forgetting it`);
    removePidRecord(config, name);
    return null;
  }
  const outcome = kill ? await killProcess(record.pid) : await stopProcess(record.pid, name === 'kafka' ? 30_000 : 10_000);
  log(`${name}: pid ${record.pid} ${outcome}`);
  removePidRecord(config, name);
  return record.pid;
}

/**
 * Stops one server of an instance (the others keep running), e.g. to prove that services reconnect.
 * Resolves with the pid that was stopped, or null when it was not running.
 */
export async function stopServer(name: ServerName, options: ServerStopOptions = {}): Promise<number | null> {
  const config = resolveInfraConfig(options.env ?? process.env);
  const log = options.log ?? defaultLog;
  ensureStateDirs(config);
  const release = await acquireLock(config, log);
  try {
    const pid = await stopRecorded(config, name, options.kill === true, log);
    recordPidInInfraJson(config, name, null);
    return pid;
  } finally {
    release();
  }
}

/** Starts one server of an instance if ours is not running, and waits until it answers. Resolves with its pid. */
export async function startServer(name: ServerName, options: InfraOptions & { readonly signal?: AbortSignal } = {}): Promise<number> {
  const config = resolveInfraConfig(options.env ?? process.env);
  const log = options.log ?? defaultLog;
  const server = definitionOf(config, name);
  const reason = server.unavailableReason();
  if (reason !== null) throw new InfraError('INFRA.START_FAILED', `${name}: ${reason}`);
  ensureStateDirs(config);
  const release = await acquireLock(config, log);
  try {
    const existing = readPidRecord(config, name);
    if (existing !== null && isOurProcess(existing.pid, existing.identity) && samePorts(existing, server)) {
      recordPidInInfraJson(config, name, existing.pid);
      return existing.pid;
    }
    if (existing !== null) removePidRecord(config, name);
    for (const setting of server.ports) await assertPortFree(setting, server.name);
    const entry = await spawnServer(config, server, await server.prepare({ config, log }), log);
    try {
      const since = Date.now();
      await waitUntilReady(entry, options.signal);
      log(`${name}: ready after ${((Date.now() - since) / 1000).toFixed(1)} s`);
    } catch (error) {
      await stopProcess(entry.process.pid);
      removePidRecord(config, name);
      throw error;
    }
    recordPidInInfraJson(config, name, entry.record.pid);
    return entry.record.pid;
  } finally {
    release();
  }
}

export interface ServerRestart {
  readonly name: ServerName;
  readonly stoppedPid: number | null;
  readonly pid: number;
  /** From the stop signal until the new process answered. */
  readonly downMs: number;
}

/** Stops one server (SIGTERM, or SIGKILL with `kill`), keeps it down for `downMs`, starts it again and waits until it answers. */
export async function restartServer(name: ServerName, options: ServerStopOptions & { readonly downMs?: number } = {}): Promise<ServerRestart> {
  const began = Date.now();
  const stoppedPid = await stopServer(name, options);
  if (options.downMs !== undefined && options.downMs > 0) await delay(options.downMs);
  const pid = await startServer(name, options);
  return { name, stoppedPid, pid, downMs: Date.now() - began };
}
