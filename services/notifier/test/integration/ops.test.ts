import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifier, type RunningNotifier } from '../../src/notifier.app.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer } from '../support/contact-directory.test-server.js';
import { createTestTopics, notifierTestConfig, notifierTestEnv, testLogger } from '../support/notifier-harness.js';

const log = testLogger();
let directory: ContactDirectoryTestServer;
let notifier: RunningNotifier;
let token: string;

beforeAll(async () => {
  directory = await startContactDirectoryTestServer();
  const env = notifierTestEnv('notifier_ops', directory.address);
  token = env['NOTIFIER_COORDINATOR_TOKEN'] ?? '';
  await createTestTopics(env, log);
  notifier = await startNotifier({ config: notifierTestConfig(env), log });
});

afterAll(async () => {
  await notifier?.stop();
  await directory?.close();
});

describe('operations endpoints', () => {
  it('reports ready when MongoDB, Redis and Kafka answer', async () => {
    const response = await fetch(`${notifier.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', checks: { mongo: true, redis: true, kafka: true } });
  });

  it('exposes waiting, active, failed and delayed jobs per queue on /metrics', async () => {
    await notifier.queues.queues.email.add('deliver', { deliveryId: 'dlv_00000000000000000000000000000000' }, { delay: 3_600_000, jobId: 'dlv_00000000000000000000000000000000' });
    const text = await (await fetch(`${notifier.url}/metrics`)).text();
    for (const queue of ['email', 'sms']) {
      for (const state of ['waiting', 'active', 'failed', 'delayed']) {
        expect(text).toMatch(new RegExp(`notifier_queue_jobs\\{[^}]*queue="${queue}"[^}]*state="${state}"[^}]*\\} \\d+`));
      }
    }
    expect(text).toMatch(/notifier_queue_jobs\{[^}]*queue="email"[^}]*state="delayed"[^}]*\} 1/);
  });

  it('keeps bull-board behind the coordinator credential', async () => {
    expect((await fetch(`${notifier.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${notifier.url}/admin/queues`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const board = await fetch(`${notifier.url}/admin/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(board.status).toBe(200);
    const api = await fetch(`${notifier.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['kindred-notify-email', 'kindred-notify-sms']);
  });
});
