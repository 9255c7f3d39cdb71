import { DelayedError, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { extractTraceContext, inSpan, SpanKind, type Logger, type Span } from '@kindred/platform';
import { backoffDelay, type BackoffPolicy } from '../domain/backoff.js';
import { CHANNELS, type Channel } from '../domain/delivery.types.js';
import type { DeliveryJobs } from '../ports/delivery-jobs.port.js';
import { isRateLimit, type SendOutcome } from '../use-cases/send-delivery.js';

/**
 * Job payloads carry the delivery id and the journey's W3C traceparent (ids, not PII) and nothing else: contact
 * details are fetched at send time. Jobs queued before tracing have no traceparent and start a trace of their own.
 */
export interface DeliveryJobData {
  readonly deliveryId: string;
  readonly traceparent?: string;
}

const jobData = (deliveryId: string, traceparent: string | undefined): DeliveryJobData => (traceparent ? { deliveryId, traceparent } : { deliveryId });

export interface ChannelLimits {
  readonly concurrency: number;
  /** The provider's rate limit; BullMQ's `limiter` holds it across every worker of the queue. */
  readonly maxPerSecond: number;
}

export interface DeliveryQueuesConfig {
  readonly redisUrl: string;
  /** BullMQ key prefix; each test file gets its own. */
  readonly prefix: string;
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

export interface DeliveryWorkersConfig extends DeliveryQueuesConfig {
  readonly limits: Readonly<Record<Channel, ChannelLimits>>;
  /** How long a job's lock lasts without renewal; a killed worker's jobs run again after it. */
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

export const queueNameOf = (channel: Channel): string => `kindred-notify-${channel}`;

/** ioredis options from a redis:// URL; bullmq pins its own ioredis, so options travel rather than a client. */
export function redisConnectionOptions(redisUrl: string, extra: Record<string, unknown>): ConnectionOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    ...extra,
  };
}

/** Job states in which a job will still run (and claim its delivery) without anyone's help. */
const LIVE_STATES: ReadonlySet<string> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface DeliveryQueues extends DeliveryJobs {
  readonly queues: Readonly<Record<Channel, Queue<DeliveryJobData>>>;
  enqueue(deliveries: readonly { readonly _id: string; readonly channel: Channel; readonly traceparent?: string }[]): Promise<void>;
  counts(): Promise<Record<Channel, Record<'waiting' | 'active' | 'failed' | 'delayed', number>>>;
  close(): Promise<void>;
}

export async function createDeliveryQueues(config: DeliveryQueuesConfig): Promise<DeliveryQueues> {
  // A producer fails fast when Redis is down instead of buffering jobs in memory.
  const connection = redisConnectionOptions(config.redisUrl, { enableOfflineQueue: false });
  const make = (channel: Channel) =>
    new Queue<DeliveryJobData>(queueNameOf(channel), {
      connection,
      prefix: config.prefix,
      defaultJobOptions: {
        attempts: config.attempts,
        backoff: { type: 'jittered-exponential' },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10_000 },
      },
    });
  const queues = { email: make('email'), sms: make('sms') };
  await Promise.all(Object.values(queues).map((queue) => queue.waitUntilReady()));
  return {
    queues,
    async enqueue(deliveries) {
      for (const channel of CHANNELS) {
        const jobs = deliveries
          .filter((delivery) => delivery.channel === channel)
          .map((delivery) => ({ name: 'deliver', data: jobData(delivery._id, delivery.traceparent), opts: { jobId: delivery._id } }));
        if (jobs.length > 0) await queues[channel].addBulk(jobs);
      }
    },
    async isJobLive(channel, jobId) {
      return LIVE_STATES.has(await queues[channel].getJobState(jobId));
    },
    async enqueueJob(channel, deliveryId, jobId, traceparent) {
      await queues[channel].add('deliver', jobData(deliveryId, traceparent), { jobId });
    },
    async counts() {
      const read = async (queue: Queue) => {
        const counts = await queue.getJobCounts('waiting', 'active', 'failed', 'delayed');
        return { waiting: counts['waiting'] ?? 0, active: counts['active'] ?? 0, failed: counts['failed'] ?? 0, delayed: counts['delayed'] ?? 0 };
      };
      return { email: await read(queues.email), sms: await read(queues.sms) };
    },
    async close() {
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
    },
  };
}

export type DeliveryProcessor = (deliveryId: string, attempt: { isLast: boolean }, log: Logger) => Promise<SendOutcome>;

/** Called once per job outcome, for metrics. */
export type OutcomeListener = (channel: Channel, outcome: SendOutcome['kind']) => void;

/**
 * Called when a job used its last attempt on an error thrown past the use case (MongoDB or Redis down, say): the
 * ledger still says `queued`/`sending`, and no job will run again unless someone decides.
 */
export type ExhaustedListener = (deliveryId: string, channel: Channel) => void;

export interface DeliveryWorkers {
  readonly workers: readonly Worker<DeliveryJobData>[];
  /** Stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
}

/**
 * One worker per channel queue. The processor's outcome maps to BullMQ: a transient failure throws (retry with
 * jittered exponential backoff), a permanent one throws UnrecoverableError, quiet hours and a busy claim move the
 * job to delayed without using an attempt.
 */
export function startDeliveryWorkers(
  config: DeliveryWorkersConfig,
  process: DeliveryProcessor,
  log: Logger,
  onOutcome: OutcomeListener = () => undefined,
  onExhausted: ExhaustedListener = () => undefined,
): DeliveryWorkers {
  const connection = redisConnectionOptions(config.redisUrl, { maxRetriesPerRequest: null });
  const make = (channel: Channel) => {
    const limits = config.limits[channel];
    const worker = new Worker<DeliveryJobData>(
      queueNameOf(channel),
      // Every attempt (and every sweeper re-queue, which copies the traceparent from the ledger) is a span of the journey.
      (job: Job<DeliveryJobData>, token?: string) =>
        inSpan(
          `${queueNameOf(channel)} process`,
          {
            kind: SpanKind.CONSUMER,
            parent: extractTraceContext({ traceparent: job.data.traceparent }),
            attributes: {
              'messaging.system': 'bullmq',
              'messaging.operation.type': 'process',
              'messaging.destination.name': queueNameOf(channel),
              'messaging.message.id': job.id ?? '',
              'kindred.delivery.id': job.data.deliveryId,
              'kindred.job.attempt': job.attemptsMade + 1,
            },
          },
          (span) => runJob(job, token, span),
        ),
      {
        connection,
        prefix: config.prefix,
        concurrency: limits.concurrency,
        limiter: { max: limits.maxPerSecond, duration: 1000 },
        lockDuration: config.lockDurationMs,
        stalledInterval: config.stalledIntervalMs,
        maxStalledCount: config.maxStalledCount,
        settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, config.backoff) },
      },
    );
    async function runJob(job: Job<DeliveryJobData>, token: string | undefined, span: Span) {
      const jobLog = log.child({ deliveryId: job.data.deliveryId, channel, jobAttempt: job.attemptsMade + 1 });
      const outcome = await process(job.data.deliveryId, { isLast: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }, jobLog);
      onOutcome(channel, outcome.kind);
      span.setAttribute('kindred.delivery.outcome', outcome.kind);
      switch (outcome.kind) {
        case 'sent':
          return { providerMessageId: outcome.providerMessageId };
        case 'skipped':
          return { skipped: outcome.status };
        case 'busy':
        case 'deferred':
          await job.moveToDelayed(Date.now() + outcome.delayMs + (outcome.kind === 'busy' ? 250 : 0), token);
          throw new DelayedError();
        case 'retry':
          if (isRateLimit(outcome.failure)) {
            // Pause the whole queue (every worker) and put the job back without using an attempt.
            await worker.rateLimit(backoffDelay(1, config.backoff));
            throw Worker.RateLimitError();
          }
          throw new Error(`transient: ${outcome.failure.code}`);
        case 'failed':
          throw new UnrecoverableError(`permanent: ${outcome.failure.code}`);
      }
    }
    worker.on('error', (error) => log.error({ channel, err: error }, 'delivery worker error'));
    worker.on('failed', (job, error) => {
      // Permanent failures were recorded by the use case with their event; only a job out of attempts is left over.
      if (!job || error instanceof UnrecoverableError || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      log.warn({ deliveryId: job.data.deliveryId, channel, attemptsMade: job.attemptsMade }, 'delivery job out of attempts on a transient error');
      onExhausted(job.data.deliveryId, channel);
    });
    return worker;
  };
  const workers = [make('email'), make('sms')];
  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
