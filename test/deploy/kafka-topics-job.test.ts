import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveInfraConfig } from '@kindred/infra-native';
import { testInfra } from '@kindred/testkit';
import { repoRoot } from './k8s-manifests.js';

// The topics Job's script (deploy/helm/kindred/files/ensure-topics.sh) run with the kafka-topics CLI of the Job's
// image version, against the real broker of the test setup.

const run = promisify(execFile);
const script = join(repoRoot, 'deploy/helm/kindred/files/ensure-topics.sh');
const jobImage = (parse(readFileSync(join(repoRoot, 'deploy/helm/kindred/values.yaml'), 'utf8')) as { topics: { image: string } }).topics.image;
const cliVersion = /:(\d+\.\d+\.\d+)$/.exec(jobImage)?.[1];

/** kafka-tools and its runtime jars from Maven Central, once, into the Kindred cache (staged, then renamed). */
async function kafkaToolsClasspath(version: string): Promise<string> {
  const dir = join(resolveInfraConfig().cacheDir, `kafka-tools-${version}`);
  const lib = join(dir, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('kafka-tools-'))) return lib;
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const pom = join(repoRoot, 'test/deploy/kafka-tools/pom.xml');
  await run('mvn', ['-B', '-q', '--no-transfer-progress', '-f', pom, `-Dkafka.version=${version}`, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(staging, 'lib')}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return lib;
}

describe('the Kafka topics Job', () => {
  const namespace = `k8sjob-${randomBytes(4).toString('hex')}`;
  const topic = (name: string) => `${namespace}.${name}`;
  let work: string;
  let kafkaTopics: string;
  let brokers: readonly string[];
  let kafka: Kafka;

  beforeAll(async () => {
    expect(cliVersion, `a version tag on topics.image (${jobImage})`).toBeDefined();
    const lib = await kafkaToolsClasspath(cliVersion as string);
    work = mkdtempSync(join(tmpdir(), 'kindred-topics-job-'));
    // What the image's /opt/kafka/bin/kafka-topics.sh runs.
    kafkaTopics = join(work, 'kafka-topics.sh');
    writeFileSync(kafkaTopics, `#!/bin/sh\nexec java -Xmx256m -cp '${lib}/*' org.apache.kafka.tools.TopicCommand "$@"\n`);
    chmodSync(kafkaTopics, 0o755);
    brokers = testInfra().kafkaBrokers;
    kafka = new Kafka({ clientId: 'kindred-topics-job-test', brokers: [...brokers], logLevel: logLevel.NOTHING });
  }, 300_000);

  afterAll(async () => {
    if (kafka) {
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
      await admin.disconnect();
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const runJob = async (topics: Record<string, number>) => {
    const { stdout } = await run('sh', [script], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        KAFKA_BROKERS: brokers.join(','),
        KINDRED_TOPICS: Object.entries(topics).map(([name, partitions]) => `${name}=${partitions}`).join(' '),
        REPLICATION_FACTOR: '1',
        MIN_INSYNC_REPLICAS: '1',
        KAFKA_TOPICS_BIN: kafkaTopics,
      },
    });
    return stdout;
  };

  const partitionCounts = async (names: readonly string[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...names] });
      return Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    } finally {
      await admin.disconnect();
    }
  };

  it('creates missing topics with their partitions, then raises a partition count and never lowers one', async () => {
    const newcomers = topic('newcomers');
    const dlq = topic('matching.dlq');

    const first = await runJob({ [newcomers]: 4, [dlq]: 1 });
    expect(first).toContain(`${newcomers}: created with 4 partitions`);
    expect(await partitionCounts([newcomers, dlq])).toEqual({ [newcomers]: 4, [dlq]: 1 });

    // Never lowered (Kafka cannot), raised when asked for more.
    const raised = await runJob({ [newcomers]: 2, [dlq]: 3 });
    expect(raised).toContain(`${newcomers}: 4 partitions (asked for 2), unchanged`);
    expect(raised).toContain(`${dlq}: raised from 1 to 3 partitions`);
    expect(await partitionCounts([newcomers, dlq])).toEqual({ [newcomers]: 4, [dlq]: 3 });
  }, 180_000);

  it('fails, and says so, when the brokers cannot be reached (client settings from COMMAND_CONFIG)', async () => {
    const clientProperties = join(work, 'client.properties');
    writeFileSync(clientProperties, 'default.api.timeout.ms=4000\nrequest.timeout.ms=2000\n');
    const broken = run('sh', [script], {
      env: {
        PATH: process.env['PATH'] ?? '',
        KAFKA_BROKERS: '127.0.0.1:1',
        KINDRED_TOPICS: `${topic('never')}=1`,
        REPLICATION_FACTOR: '1',
        MIN_INSYNC_REPLICAS: '1',
        KAFKA_TOPICS_BIN: kafkaTopics,
        COMMAND_CONFIG: clientProperties,
      },
      timeout: 120_000,
    });
    const failure = (await broken.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code?: number; stderr?: string } | undefined;
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('cannot list the topics on 127.0.0.1:1');
  }, 180_000);
});
