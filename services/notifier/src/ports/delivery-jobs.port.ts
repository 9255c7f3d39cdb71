import type { Channel } from '../domain/delivery.types.js';

/** The queue as the sweeper sees it: whether a delivery's job can still run, and how to give it a new one. */
export interface DeliveryJobs {
  /** True while the job waits, runs or is delayed (it will claim the delivery itself). */
  isJobLive(channel: Channel, jobId: string): Promise<boolean>;
  /** Adds the job unless one with that id exists; the payload is the delivery id and the journey's traceparent (ids only). */
  enqueueJob(channel: Channel, deliveryId: string, jobId: string, traceparent?: string): Promise<void>;
}
