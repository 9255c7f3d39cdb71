import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { InfraError } from './infra-error.js';

/** How we recognise a process we started, so that `down` never signals a recycled pid. */
export interface ProcessIdentity {
  /** Every string must appear among the process's arguments (joined with spaces). */
  readonly cmdlineIncludes: readonly string[];
  readonly cwd?: string;
}

export function readCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part !== '');
  } catch {
    return null;
  }
}

/** Alive and not a zombie (a detached child we have not reaped still answers kill(pid, 0)). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function isOurProcess(pid: number, identity: ProcessIdentity): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = readCmdline(pid);
  if (cmdline === null) return false;
  const joined = cmdline.join(' ');
  if (!identity.cmdlineIncludes.every((part) => joined.includes(part))) return false;
  if (identity.cwd !== undefined) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) !== identity.cwd) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export interface DetachedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
}

export interface DetachedProcess {
  readonly pid: number;
  /** Set once the process has exited while this launcher still watched it. */
  exitCode(): number | string | null;
}

/** Starts a server in its own session with output appended to a log file; it outlives the launcher. */
export async function spawnDetached(spec: DetachedCommand): Promise<DetachedProcess> {
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    let exit: number | string | null = null;
    child.on('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
    });
    await new Promise<void>((resolveSpawn, reject) => {
      child.once('spawn', resolveSpawn);
      child.once('error', (error) => {
        reject(new InfraError('INFRA.START_FAILED', `could not start ${spec.command}: ${error.message}`, spec.logFile));
      });
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new InfraError('INFRA.START_FAILED', `${spec.command} started without a pid`, spec.logFile);
    return { pid, exitCode: () => exit };
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, wait up to graceMs for a clean exit, then SIGKILL. Resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<'terminated' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await delay(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  while (isAlive(pid)) await delay(50);
  return 'killed';
}

/** SIGKILL at once, as a crash would; resolves once the process is gone. */
export async function killProcess(pid: number): Promise<'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'gone';
  }
  while (isAlive(pid)) await delay(50);
  return 'killed';
}
