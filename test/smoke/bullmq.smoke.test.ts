import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testInfra, uniqueName, waitFor } from '@kindred/testkit';

const infra = testInfra();
const prefix = uniqueName('smoke');
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('BullMQ on the real Redis', () => {
  it('runs a job, retries it after a failure, and completes it on the second attempt', async () => {
    const connection = new Redis(infra.redisUrl, { maxRetriesPerRequest: null });
    closers.push(() => connection.quit());
    const queue = new Queue('smoke', { connection, prefix });
    closers.push(() => queue.close());
    const events = new QueueEvents('smoke', { connection: new Redis(infra.redisUrl, { maxRetriesPerRequest: null }), prefix });
    closers.push(() => events.close());

    const attempts: number[] = [];
    const worker = new Worker<{ deliveryId: string }>(
      'smoke',
      (job) => {
        attempts.push(job.attemptsMade);
        if (job.attemptsMade === 0) return Promise.reject(new Error('transient failure'));
        return Promise.resolve({ deliveryId: job.data.deliveryId });
      },
      { connection: new Redis(infra.redisUrl, { maxRetriesPerRequest: null }), prefix },
    );
    closers.push(() => worker.close());

    const job = await queue.add('deliver', { deliveryId: 'd-1' }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    const result = (await job.waitUntilFinished(events, 20_000)) as { deliveryId: string };

    expect(result).toEqual({ deliveryId: 'd-1' });
    expect(attempts).toEqual([0, 1]);
    const stored = await waitFor(async () => {
      const current = await queue.getJob(job.id ?? '');
      return current?.finishedOn === undefined ? undefined : current;
    });
    expect(stored.attemptsMade).toBe(2);
  });

  it('runs on a Redis configured the way BullMQ needs it (AOF on, noeviction)', async () => {
    const redis = new Redis(infra.redisUrl);
    closers.push(() => redis.quit());
    const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
    expect(policy[1]).toBe('noeviction');
    if (infra.mode === 'native') {
      const aof = (await redis.config('GET', 'appendonly')) as string[];
      expect(aof[1]).toBe('yes');
    }
  });
});
