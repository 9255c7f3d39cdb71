import { describe, expect, it } from 'vitest';
import { cacheDirFrom, resolveInfraConfig } from '#src/infra-config.js';
import { InfraError } from '#src/infra-error.js';

describe('launcher configuration', () => {
  it('uses the documented default ports', () => {
    const { ports } = resolveInfraConfig({ HOME: '/home/someone' });
    expect([ports.kafka, ports.kafkaController, ports.mongo, ports.redis, ports.smtp, ports.sandbox]).toEqual([
      { port: 19092, envVar: 'KINDRED_KAFKA_PORT' },
      { port: 19093, envVar: 'KINDRED_KAFKA_CONTROLLER_PORT' },
      { port: 27117, envVar: 'KINDRED_MONGO_PORT' },
      { port: 16379, envVar: 'KINDRED_REDIS_PORT' },
      { port: 11025, envVar: 'KINDRED_SMTP_PORT' },
      { port: 18025, envVar: 'KINDRED_SANDBOX_PORT' },
    ]);
  });

  it('moves a port with its environment variable', () => {
    const config = resolveInfraConfig({ HOME: '/h', KINDRED_KAFKA_PORT: '29092', KINDRED_REDIS_PORT: '26379' });
    expect(config.ports.kafka.port).toBe(29092);
    expect(config.ports.kafkaController.port).toBe(29093);
    expect(config.ports.redis.port).toBe(26379);
  });

  it('rejects a port that is not a port, naming the variable', () => {
    expect(() => resolveInfraConfig({ HOME: '/h', KINDRED_MONGO_PORT: '70000' })).toThrow(/KINDRED_MONGO_PORT="70000"/);
  });

  it('rejects two servers on one port', () => {
    const attempt = (): unknown => resolveInfraConfig({ HOME: '/h', KINDRED_SMTP_PORT: '16379' });
    expect(attempt).toThrow(InfraError);
    expect(attempt).toThrow(/KINDRED_SMTP_PORT and KINDRED_REDIS_PORT both ask for port 16379/);
  });

  it('keeps the cache outside the checkout: KINDRED_CACHE, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(cacheDirFrom({ KINDRED_CACHE: '/var/tmp/k', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/var/tmp/k');
    expect(cacheDirFrom({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/kindred');
    expect(cacheDirFrom({ HOME: '/h' })).toBe('/h/.cache/kindred');
    expect(resolveInfraConfig({ HOME: '/h' }).stateDir).toBe('/h/.cache/kindred/state');
  });

  it('gives a second instance its own state with KINDRED_STATE_DIR, while the downloaded jars stay shared', () => {
    const config = resolveInfraConfig({ HOME: '/h', KINDRED_STATE_DIR: '/tmp/faults-state' });
    expect(config.stateDir).toBe('/tmp/faults-state');
    expect(config.cacheDir).toBe('/h/.cache/kindred');
    expect(resolveInfraConfig({ HOME: '/h', KINDRED_STATE_DIR: '' }).stateDir).toBe('/h/.cache/kindred/state');
  });
});
