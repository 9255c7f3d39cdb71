import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeRedis } from './health-probes.js';
import type { InfraConfig } from './infra-config.js';
import { InfraError } from './infra-error.js';
import type { ServerContext, ServerDefinition } from './server-definition.js';
import { captureOutput, findOnPath, logTail } from './tool-runner.js';

export function renderRedisConf(input: { port: number; dir: string }): string {
  return [
    '# Written by deploy/native on every start; BullMQ needs noeviction, and AOF keeps queued jobs across restarts.',
    `port ${input.port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    'daemonize no',
    `dir ${input.dir}`,
    'appendonly yes',
    'appendfsync everysec',
    'maxmemory-policy noeviction',
    'save ""',
    'logfile ""',
    '',
  ].join('\n');
}

function runApt(args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): Promise<number> {
  const asRoot = process.getuid?.() === 0;
  // Never prompt: sudo -n fails instead of asking for a password.
  const [command, fullArgs] = asRoot ? ['apt-get', [...args]] : ['sudo', ['-n', 'apt-get', ...args]];
  const fd = openSync(logFile, 'a');
  return new Promise<number>((resolveRun) => {
    const child = spawn(command, fullArgs, {
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', fd, fd],
    });
    child.once('error', () => resolveRun(127));
    child.once('exit', (code) => resolveRun(code ?? 1));
  }).finally(() => closeSync(fd));
}

async function ensureRedisServer(context: ServerContext): Promise<string> {
  const { config, log } = context;
  const onPath = findOnPath('redis-server', config.env);
  if (onPath !== null) return onPath;
  const logFile = join(config.stateDir, 'logs', 'redis-install.log');
  log(`redis: redis-server is not on PATH; installing Debian's redis-server with apt-get (log: ${logFile})`);
  const install = ['install', '-y', '--no-install-recommends', 'redis-server'];
  if ((await runApt(install, config.env, logFile)) !== 0) {
    log('redis: install failed; running apt-get update and trying again');
    await runApt(['update'], config.env, logFile);
    if ((await runApt(install, config.env, logFile)) !== 0) {
      throw new InfraError(
        'INFRA.FETCH_FAILED',
        `could not install redis-server with apt-get (root or passwordless sudo needed); log: ${logFile}\n${logTail(logFile)}`,
        logFile,
      );
    }
  }
  const installed = findOnPath('redis-server', config.env) ?? findOnPath('redis-server', { PATH: '/usr/bin:/usr/sbin' });
  if (installed === null) throw new InfraError('INFRA.FETCH_FAILED', `apt-get installed redis-server but it is not on PATH; log: ${logFile}`, logFile);
  return installed;
}

export function redisServer(config: InfraConfig): ServerDefinition {
  const port = config.ports.redis.port;
  const address = `127.0.0.1:${port}`;
  return {
    name: 'redis',
    ports: [config.ports.redis],
    address,
    readyTimeoutMs: 15_000,
    unavailableReason: () => null,
    async prepare(context) {
      const binary = await ensureRedisServer(context);
      const dir = join(config.stateDir, 'redis');
      mkdirSync(dir, { recursive: true });
      const confFile = join(dir, 'redis.conf');
      writeFileSync(confFile, renderRedisConf({ port, dir }));
      const version = /v=(\S+)/.exec(await captureOutput(binary, ['--version'], config.env))?.[1] ?? 'unknown';
      return {
        command: binary,
        args: [confFile],
        cwd: dir,
        env: config.env,
        // redis-server rewrites its process title to "redis-server 127.0.0.1:<port>", dropping the config path.
        identity: { cmdlineIncludes: ['redis-server', `:${port}`], cwd: dir },
        description: `redis ${version}`,
      };
    },
    probe: (timeoutMs) => probeRedis(`redis://${address}`, timeoutMs),
  };
}
