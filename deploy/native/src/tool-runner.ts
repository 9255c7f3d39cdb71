import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InfraError } from './infra-error.js';

export type ToolName = 'java' | 'go' | 'mvn' | 'redis-server';

/** What to install when a tool is missing (Debian/Ubuntu package names). */
const INSTALL_HINTS: Record<ToolName, string> = {
  java: 'install Java 17+: apt-get install -y openjdk-17-jre-headless',
  mvn: 'install Maven: apt-get install -y maven',
  go: 'install Go 1.24 or newer: apt-get install -y golang-go (Debian 12 ships Go 1.19, too old: use bookworm-backports or https://go.dev/dl)',
  'redis-server': 'install Redis: apt-get install -y redis-server',
};

/** The absolute path of an executable on env.PATH, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Throws INFRA.TOOL_MISSING with the package to install when the tool is not on env.PATH. */
export function requireTool(name: ToolName, env: NodeJS.ProcessEnv, neededFor: string): string {
  const found = findOnPath(name, env);
  if (found !== null) return found;
  throw new InfraError('INFRA.TOOL_MISSING', `${name} is not on PATH (needed for ${neededFor}); ${INSTALL_HINTS[name]}`);
}

export function logTail(logFile: string, lines = 30): string {
  try {
    // Tools colour their output even in batch mode; escape codes only clutter an error message.
    // eslint-disable-next-line no-control-regex
    const all = readFileSync(logFile, 'utf8').replace(/\u001b\[[0-9;]*m/g, '').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface LoggedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  /** Stable code for the error thrown when the command fails. */
  readonly failureCode: 'INFRA.FETCH_FAILED' | 'INFRA.START_FAILED';
  readonly what: string;
}

/** Runs a tool to completion with its output in a log file; on failure the error carries the log's tail. */
export async function runLogged(spec: LoggedCommand): Promise<void> {
  const fd = openSync(spec.logFile, 'a');
  try {
    const exitCode = await new Promise<number | string>((resolveRun, reject) => {
      const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: ['ignore', fd, fd] });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolveRun(code ?? signal ?? 'unknown'));
    });
    if (exitCode !== 0) {
      throw new InfraError(
        spec.failureCode,
        `${spec.what} failed (${spec.command} exited with ${exitCode}); log: ${spec.logFile}\n${logTail(spec.logFile)}`,
        spec.logFile,
      );
    }
  } catch (error) {
    if (error instanceof InfraError) throw error;
    throw new InfraError(spec.failureCode, `${spec.what} failed: ${(error as Error).message}; log: ${spec.logFile}`, spec.logFile);
  } finally {
    closeSync(fd);
  }
}

/** Runs a command and returns its stdout (for version probes). */
export function captureOutput(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolveRun(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${out.trim()}`));
    });
  });
}
