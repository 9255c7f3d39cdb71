import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInfraConfig } from '#src/infra-config.js';
import { InfraError } from '#src/infra-error.js';
import { kafkaServer } from '#src/kafka.server.js';
import { findOnPath, requireTool } from '#src/tool-runner.js';

describe('a missing tool', () => {
  const cache = mkdtempSync(join(tmpdir(), 'kindred-infra-test-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('names the Debian package to install', () => {
    const attempt = (): unknown => requireTool('java', { PATH: '/nonexistent' }, 'running the Kafka broker');
    expect(attempt).toThrow(InfraError);
    expect(attempt).toThrow(/java is not on PATH \(needed for running the Kafka broker\); .*apt-get install -y openjdk-17-jre-headless/);
    expect(() => requireTool('go', { PATH: '/nonexistent' }, 'building a tool')).toThrow(/apt-get install -y golang-go/);
    expect(() => requireTool('mvn', { PATH: '/nonexistent' }, 'Kafka jars')).toThrow(/apt-get install -y maven/);
  });

  it('stops the Kafka start before anything is fetched when java is not on PATH', async () => {
    const config = resolveInfraConfig({ PATH: '/nonexistent', KINDRED_CACHE: cache, HOME: cache });
    const failure = await kafkaServer(config)
      .prepare({ config, log: () => undefined })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(InfraError);
    expect((failure as InfraError).code).toBe('INFRA.TOOL_MISSING');
    expect((failure as InfraError).message).toContain('openjdk-17-jre-headless');
    expect(readdirSync(cache)).toEqual([]);
  });

  it('is found when it is on PATH', () => {
    expect(findOnPath('sh', { PATH: '/nonexistent:/bin:/usr/bin' })).toMatch(/\/sh$/);
  });
});
