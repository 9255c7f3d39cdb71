import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraDown, infraStatus, infraUp, readInfraEndpoints, restartServer, startServer, stopServer } from '#src/index.js';
import { isAlive } from '#src/process-control.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// A second instance (own state folder, own ports) beside the shared one: only Redis and the sandbox, which start fast.
describe('one server of a dedicated instance is stopped, started and restarted while the others keep running', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kindred-instance-test-'));
  let env: NodeJS.ProcessEnv;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
  };

  beforeAll(async () => {
    const [kafka, controller, mongo, redis, smtp, sandbox] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
    env = {
      ...process.env,
      KINDRED_STATE_DIR: stateDir,
      KINDRED_KAFKA_PORT: String(kafka),
      KINDRED_KAFKA_CONTROLLER_PORT: String(controller),
      KINDRED_MONGO_PORT: String(mongo),
      KINDRED_REDIS_PORT: String(redis),
      KINDRED_SMTP_PORT: String(smtp),
      KINDRED_SANDBOX_PORT: String(sandbox),
    };
    await infraUp({ env, log, only: ['redis', 'sandbox'], requireSandbox: true });
  }, 120_000);

  afterAll(async () => {
    await infraDown({ env, log });
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  const states = async () => Object.fromEntries((await infraStatus({ env })).map((status) => [status.name, status.state]));

  it('restarts Redis as a new process on the same port; what Redis stored survives (AOF) and infra.json names the new pid', async () => {
    const endpoints = readInfraEndpoints(env);
    const oldPid = endpoints.pids.redis ?? 0;
    const sandboxPid = endpoints.pids.sandbox;
    const before = new Redis(endpoints.redisUrl, { lazyConnect: true });
    await before.connect();
    await before.set('kindred-restart-test', 'kept');
    before.disconnect();

    const restart = await restartServer('redis', { env, log });

    expect(restart.stoppedPid).toBe(oldPid);
    expect(restart.pid).not.toBe(oldPid);
    expect(isAlive(oldPid)).toBe(false);
    expect(readInfraEndpoints(env).pids).toEqual({ redis: restart.pid, sandbox: sandboxPid });
    const after = new Redis(endpoints.redisUrl, { lazyConnect: true });
    await after.connect();
    expect(await after.get('kindred-restart-test')).toBe('kept');
    after.disconnect();
    expect(await states()).toMatchObject({ redis: 'healthy', sandbox: 'healthy' });
  }, 60_000);

  it('kills one server (SIGKILL), reports it stopped, and starts it again', async () => {
    const killedPid = await stopServer('sandbox', { env, log, kill: true });
    expect(killedPid).not.toBeNull();
    expect(isAlive(killedPid ?? 0)).toBe(false);
    expect(await states()).toMatchObject({ redis: 'healthy', sandbox: 'stopped' });
    expect(readInfraEndpoints(env).pids.sandbox).toBeUndefined();

    const pid = await startServer('sandbox', { env, log });

    expect(pid).not.toBe(killedPid);
    expect(await states()).toMatchObject({ redis: 'healthy', sandbox: 'healthy' });
    expect(readInfraEndpoints(env).pids.sandbox).toBe(pid);
    // Starting a server that already runs keeps it.
    expect(await startServer('sandbox', { env, log })).toBe(pid);
  }, 60_000);

  it('stopping a server that is not running says so and changes nothing', async () => {
    expect(await stopServer('kafka', { env, log })).toBeNull();
    expect(await states()).toMatchObject({ redis: 'healthy', sandbox: 'healthy', kafka: 'stopped' });
  });
});
