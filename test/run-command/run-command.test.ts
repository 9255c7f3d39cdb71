import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { testInfra, uniqueName, unlinkRedisKeys, waitFor } from '@kindred/testkit';
import { freeServicePortBase, healthy } from '../support/service-ports.js';

const runLocal = fileURLToPath(new URL('../../deploy/run-local.ts', import.meta.url));

interface RunningCommand {
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Starts the run command and waits for its banner (or its exit). */
async function startRunCommand(env: Record<string, string>): Promise<RunningCommand> {
  const child = spawn(process.execPath, ['--import', 'tsx', runLocal], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = () => {
    child.kill('SIGTERM');
    return exited;
  };
  try {
    await waitFor(() => output.includes('Kindred is running') || child.exitCode !== null, { timeoutMs: 180_000, intervalMs: 250, description: 'the run command to finish starting' });
  } catch (error) {
    await stop();
    throw error;
  }
  return { output: () => output, stop };
}

/** What the run stored: demo people in intake, and what matching's read model made of them. */
async function storedCounts(runName: string) {
  const connection = await mongoose.createConnection(testInfra().mongoUrl).asPromise();
  try {
    const intake = connection.useDb(`kindred_${runName}_intake`).db;
    const matching = connection.useDb(`kindred_${runName}_matching`).db;
    if (!intake || !matching) throw new Error('no database handle');
    const statuses = await matching.collection('newcomers').find({}, { projection: { status: 1 } }).toArray();
    return {
      intakePeers: await intake.collection('peers').countDocuments({}),
      intakeNewcomers: await intake.collection('newcomers').countDocuments({}),
      matchingPeers: await matching.collection('peers').countDocuments({ profiled: true }),
      newcomersProposed: statuses.filter((n) => n['status'] === 'proposed').length,
      newcomersUrgent: statuses.filter((n) => n['status'] === 'urgent').length,
    };
  } finally {
    await connection.close();
  }
}

/**
 * Removes what a run left on the long-lived servers: its databases, topics, consumer groups and Redis keys (the run
 * name is in each), and its state folder.
 */
async function removeRun(runName: string): Promise<void> {
  const infra = testInfra();
  const connection = await mongoose.createConnection(infra.mongoUrl).asPromise();
  try {
    const admin = connection.db?.admin();
    const { databases } = (await admin?.listDatabases({ nameOnly: true })) ?? { databases: [] };
    for (const { name } of databases) if (name.startsWith(`kindred_${runName}_`)) await connection.useDb(name).dropDatabase();
  } finally {
    await connection.close();
  }
  const kafka = new Kafka({ clientId: 'run-command-cleanup', brokers: [...infra.kafkaBrokers], logLevel: logLevel.NOTHING }).admin();
  await kafka.connect();
  try {
    const topics = (await kafka.listTopics()).filter((t) => t.startsWith(`${runName}.`));
    if (topics.length > 0) await kafka.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await kafka.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(runName));
    if (groups.length > 0) await kafka.deleteGroups(groups).catch(() => undefined);
  } finally {
    await kafka.disconnect();
  }
  await unlinkRedisKeys(infra.redisUrl, `*${runName}*`);
  const cache = process.env['KINDRED_CACHE'] ?? join(process.env['HOME'] ?? '/tmp', '.cache', 'kindred');
  rmSync(join(cache, 'state', `services-${runName}`), { recursive: true, force: true });
}

// The README's run command is the native one (Docker has deploy/docker-compose.yml), so it is proved in native mode.
describe.runIf(testInfra().mode === 'native')("the README's run command (./kindred up)", () => {
  // A test name (kt_…): should this file die before its cleanup, the next test run removes the topics it left.
  const name = uniqueName('runcmd');
  afterAll(() => removeRun(name), 60_000);

  it('starts the four services with the demo population, prints where to open them, stops them all on SIGTERM, and a second start loads nothing again', async () => {
    const base = await freeServicePortBase(20_100, 250, 'the run command');
    // A smaller population than the realistic default (300) keeps this test quick; the code path is the same.
    const env = { KINDRED_PORT_BASE: String(base), KINDRED_RUN_NAME: name, KINDRED_DEMO_PEERS: '40' };
    const urls = { console: `http://127.0.0.1:${base}`, intake: `http://127.0.0.1:${base + 1}`, matching: `http://127.0.0.1:${base + 2}`, notifier: `http://127.0.0.1:${base + 3}` };

    const first = await startRunCommand(env);
    try {
      const output = first.output();
      expect(output).toContain('Kindred is running');
      for (const url of Object.values(urls)) expect(await healthy(url), url).toBe(true);
      expect(output).toContain(`Coordinator console        ${urls.console}`);
      expect(output).toContain(`Intake form (newcomers)    ${urls.intake}/intake`);
      expect(output).toMatch(/sign in {18}user "coordinator" \(or "admin"\), password \S+/);
      expect(output).toMatch(/Mail inbox {17}http:\/\/\S+\/#mail/);
      expect(output).toMatch(/SMS sandbox {16}http:\/\/\S+\/#sms/);
      expect(output).toContain('demo data: 40/40 peers entered through the intake API');
      expect(output).toMatch(/demo data: loaded 40 peers and 8 newcomers \(\d+ with a proposal, 1 urgent\)/);
      expect(output).toMatch(/Demo data {18}40 peers; 8 newcomers waiting/);
      expect((await fetch(`${urls.intake}/intake`)).status).toBe(200);

      const firstCounts = await storedCounts(name);
      expect(firstCounts).toMatchObject({ intakePeers: 40, intakeNewcomers: 8, matchingPeers: 40, newcomersUrgent: 1 });
      // Even 40 peers give most newcomers a proposal; the urgent one is never matched automatically.
      expect(firstCounts.newcomersProposed).toBeGreaterThanOrEqual(5);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    for (const port of [base, base + 1, base + 2, base + 3]) expect(await healthy(`http://127.0.0.1:${port}`), `port ${port}`).toBe(false);

    const second = await startRunCommand(env);
    try {
      const output = second.output();
      expect(output).toContain('Kindred is running');
      expect(output).toContain('demo data: already loaded (40 peers, 8 newcomers');
      expect(output).not.toContain('entered through the intake API');
      const { intakePeers, intakeNewcomers, matchingPeers } = await storedCounts(name);
      expect({ intakePeers, intakeNewcomers, matchingPeers }).toEqual({ intakePeers: 40, intakeNewcomers: 8, matchingPeers: 40 });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 420_000);
});
