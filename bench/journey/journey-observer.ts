// Watches the run's matches and deliveries topics, as any consumer would, and notes when each proposal and each
// introduction appears. Reading Kafka, not polling the services, keeps the observer from loading what it measures.
import type { Consumer, Kafka } from 'kafkajs';
import { decodeEnvelope } from '@kindred/contracts';

export interface ObservedProposal {
  readonly matchId: string;
  readonly atMs: number;
}

export class JourneyObserver {
  /** First proposal per newcomer. */
  readonly proposals = new Map<string, ObservedProposal>();
  /** First IntroductionDelivered per delivery, by match. */
  readonly delivered = new Map<string, Map<string, number>>();
  readonly failed = new Map<string, number>();
  undecodable = 0;
  private consumer: Consumer | undefined;
  private onProposal: ((newcomerId: string, proposal: ObservedProposal) => void) | undefined;

  async start(kafka: Kafka, group: string, topics: { readonly matches: string; readonly deliveries: string }): Promise<void> {
    const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.matches, topics.deliveries], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const atMs = Date.now();
        if (message.value === null) return Promise.resolve();
        let envelope;
        try {
          envelope = decodeEnvelope(message.value);
        } catch {
          this.undecodable += 1;
          return Promise.resolve();
        }
        const { event } = envelope;
        if (event.$case === 'matchProposed') {
          const { newcomerId, matchId } = event.matchProposed;
          if (!this.proposals.has(newcomerId)) {
            const proposal = { matchId, atMs };
            this.proposals.set(newcomerId, proposal);
            this.onProposal?.(newcomerId, proposal);
          }
        } else if (event.$case === 'introductionDelivered') {
          const { matchId, deliveryId } = event.introductionDelivered;
          const byDelivery = this.delivered.get(matchId) ?? new Map<string, number>();
          if (!byDelivery.has(deliveryId)) byDelivery.set(deliveryId, atMs);
          this.delivered.set(matchId, byDelivery);
        } else if (event.$case === 'introductionFailed') {
          const { matchId } = event.introductionFailed;
          this.failed.set(matchId, (this.failed.get(matchId) ?? 0) + 1);
        }
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 60_000;
    while (!joined) {
      if (Date.now() > deadline) throw new Error('the observer did not join its consumer group within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  whenProposed(callback: (newcomerId: string, proposal: ObservedProposal) => void): void {
    this.onProposal = callback;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
