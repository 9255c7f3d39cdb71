import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '#src/infra-error.js';
import { assertPortFree, findPortHolder, isPortFree } from '#src/port-check.js';

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
    const probe = createServer();
    await new Promise<void>((resolveListen) => probe.listen(0, '127.0.0.1', resolveListen));
    const address = probe.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    await new Promise<void>((resolveClose) => probe.close(() => resolveClose()));

    expect(await isPortFree(address.port)).toBe(true);
    await expect(assertPortFree({ port: address.port, envVar: 'KINDRED_MONGO_PORT' }, 'mongo')).resolves.toBeUndefined();
  });
});
