import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraUp } from '@kindred/infra-native';
import { InfraError } from '#src/infra-error.js';
import { assertPortFree, findPortHolder, isPortFree } from '#src/port-check.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolveListen) => probe.listen(0, '127.0.0.1', resolveListen));
  const address = probe.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  await new Promise<void>((resolveClose) => probe.close(() => resolveClose()));
  return address.port;
}

describe('a port held by another process', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    port = address.port;
  });

  afterAll(async () => {
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  });

  it('is reported as taken, naming the port, the variable that moves it and the holder', async () => {
    const failure = await assertPortFree({ port, envVar: 'KINDRED_REDIS_PORT' }, 'redis').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(InfraError);
    const error = failure as InfraError;
    expect(error.code).toBe('INFRA.PORT_TAKEN');
    expect(error.message).toContain(`port ${port}`);
    expect(error.message).toContain('KINDRED_REDIS_PORT=<port>');
    expect(error.message).toContain(`pid ${process.pid}`);
  });

  it('is traced to this process through /proc', () => {
    expect(findPortHolder(port)?.pid).toBe(process.pid);
  });

  it('is free again once released', async () => {
    const port = await freePort();

    expect(await isPortFree(port)).toBe(true);
    await expect(assertPortFree({ port, envVar: 'KINDRED_MONGO_PORT' }, 'mongo')).resolves.toBeUndefined();
  });

  it('stops `up` before it fetches or starts anything', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'kindred-infra-up-'));
    try {
      const env = {
        ...process.env,
        KINDRED_CACHE: cache,
        KINDRED_REDIS_PORT: String(port),
        KINDRED_MONGO_PORT: String(await freePort()),
        KINDRED_KAFKA_PORT: String(await freePort()),
        KINDRED_KAFKA_CONTROLLER_PORT: String(await freePort()),
        KINDRED_SMTP_PORT: String(await freePort()),
        KINDRED_SANDBOX_PORT: String(await freePort()),
      };
      await expect(infraUp({ env, log: () => undefined })).rejects.toMatchObject({
        code: 'INFRA.PORT_TAKEN',
        message: expect.stringContaining(`KINDRED_REDIS_PORT`) as unknown,
      });
      expect(readdirSync(join(cache, 'state', 'run'))).toEqual([]);
      expect(existsSync(join(cache, 'state', 'infra.json'))).toBe(false);
      expect(readdirSync(cache)).toEqual(['state']);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
