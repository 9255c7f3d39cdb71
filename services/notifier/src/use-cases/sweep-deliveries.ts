import { errorCode, type Logger } from '@kindred/platform';
import { introductionFailed } from '../adapters/delivery-events.js';
import type { DeliveryDocument, DeliveryLedger } from '../data-access/delivery-ledger.repository.js';
import { deliveryJobIdOf } from '../domain/delivery-job-id.js';
import type { Clock } from '../ports/clock.port.js';
import type { DeliveryJobs } from '../ports/delivery-jobs.port.js';

export interface SweepDeliveriesDeps {
  readonly ledger: DeliveryLedger;
  readonly jobs: DeliveryJobs;
  readonly clock: Clock;
  /** A `queued` delivery untouched for this long, with no job that can still run, is stuck. */
  readonly stuckAfterMs: number;
  /** Claims (send attempts, over every job) after which a stuck delivery fails for good. */
  readonly maxAttempts: number;
  /** Re-queues after which a stuck delivery fails for good (a job lost again and again never claims). */
  readonly maxSweeps: number;
  /** Deliveries looked at per status and sweep. */
  readonly batchSize: number;
  readonly deliveriesTopic: string;
  readonly log: Logger;
  readonly onSwept?: (outcome: SweptOutcome) => void;
}

/** requeued: a new job was added; failed: failed for good with its event; raced: another sweeper or worker moved it first. */
export type SweptOutcome = 'requeued' | 'failed' | 'raced';
/** live: its job can still run, so it is left alone. */
export type SettleOutcome = SweptOutcome | 'live' | 'not_stuck';

export interface SweepSummary {
  readonly examined: number;
  readonly requeued: number;
  readonly failed: number;
  readonly raced: number;
  readonly live: number;
  /** Deliveries whose sweep threw (MongoDB or Redis down); the next sweep sees them again. */
  readonly errors: number;
}

export interface DeliverySweeper {
  /** One pass over the ledger's stuck deliveries. */
  sweepOnce(): Promise<SweepSummary>;
  /**
   * The immediate decision for a delivery whose job ran out of attempts: re-queue or fail it now, without waiting
   * for it to look stuck. A delivery still claimed under a live lease is left to the sweep that follows its expiry.
   */
  settleExhaustedJob(deliveryId: string): Promise<SettleOutcome>;
}

/**
 * Finds deliveries that are due but not progressing and gives each a new job, or fails it for good once it has
 * used its attempts. Every write is one conditional single-document update on the state that was read, so any
 * number of sweepers (and workers) may run at once: one of them wins each decision, the others see `raced`. The
 * re-queue only adds a job; the send step's claim still lets a single worker send per claim.
 */
export function createDeliverySweeper(deps: SweepDeliveriesDeps): DeliverySweeper {
  const exhausted = (delivery: DeliveryDocument): string | null => {
    if (delivery.attempts >= deps.maxAttempts) return 'attempts_exhausted';
    if ((delivery.sweeps ?? 0) >= deps.maxSweeps) return 'sweeps_exhausted';
    return null;
  };

  const settle = async (delivery: DeliveryDocument, now: Date, requeueReason?: string): Promise<SettleOutcome> => {
    if (await deps.jobs.isJobLive(delivery.channel, deliveryJobIdOf(delivery._id, delivery.sweeps ?? 0))) return 'live';
    const log = deps.log.child({ deliveryId: delivery._id, channel: delivery.channel });
    const failReason = exhausted(delivery);
    if (failReason !== null) {
      const event = introductionFailed(
        delivery,
        { permanent: true, code: failReason, reason: 'the delivery used all its attempts without being sent' },
        now,
        deps.deliveriesTopic,
      );
      if (!(await deps.ledger.failStuck(delivery, failReason, now, event))) return 'raced';
      log.warn({ attempts: delivery.attempts, sweeps: delivery.sweeps ?? 0, code: failReason }, 'stuck delivery failed for good');
      return 'failed';
    }
    const reason = requeueReason ?? (delivery.status === 'sending' ? 'lease_expired' : 'job_missing');
    const requeued = await deps.ledger.requeueStuck(delivery, reason, now);
    if (!requeued) return 'raced';
    // Only the winner of the conditional write adds the job, under an id no other sweep uses; should this process die
    // right here, the delivery is `queued` with no job and the next sweep after `stuckAfterMs` takes it again.
    await deps.jobs.enqueueJob(requeued.channel, requeued._id, deliveryJobIdOf(requeued._id, requeued.sweeps ?? 0), requeued.traceparent);
    log.info({ from: delivery.status, sweeps: requeued.sweeps, attempts: requeued.attempts }, 'stuck delivery re-queued');
    return 'requeued';
  };

  const counted = (outcome: SettleOutcome): SettleOutcome => {
    if (outcome === 'requeued' || outcome === 'failed' || outcome === 'raced') deps.onSwept?.(outcome);
    return outcome;
  };

  return {
    async sweepOnce() {
      const now = deps.clock.now();
      const stuck = await deps.ledger.findStuck(now, new Date(now.getTime() - deps.stuckAfterMs), deps.batchSize);
      const tally = { examined: stuck.length, requeued: 0, failed: 0, raced: 0, live: 0, errors: 0 };
      for (const delivery of stuck) {
        try {
          const outcome = counted(await settle(delivery, now));
          if (outcome !== 'not_stuck') tally[outcome] += 1;
        } catch (error) {
          tally.errors += 1;
          deps.log.warn({ deliveryId: delivery._id, code: errorCode(error) }, 'could not sweep a delivery; the next sweep retries');
        }
      }
      return tally;
    },

    async settleExhaustedJob(deliveryId) {
      const now = deps.clock.now();
      const delivery = await deps.ledger.get(deliveryId);
      const stuck =
        delivery !== null &&
        (delivery.status === 'queued' || (delivery.status === 'sending' && delivery.claimedUntil !== null && delivery.claimedUntil < now));
      if (!stuck) return 'not_stuck';
      return counted(await settle(delivery, now, 'job_exhausted'));
    },
  };
}
