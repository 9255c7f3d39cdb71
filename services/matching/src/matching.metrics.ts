import { Counter, Histogram, type Registry } from 'prom-client';

/** What an operator watches: consumer outcomes, rounds, proposals and lost reservation races. */
export function createMatchingMetrics(registry: Registry) {
  return {
    records: new Counter({
      name: 'kindred_matching_records_total',
      help: 'Consumed Kafka records by topic and outcome (processed, retried, dead_lettered).',
      labelNames: ['topic', 'outcome'] as const,
      registers: [registry],
    }),
    rounds: new Histogram({
      name: 'kindred_matching_round_newcomers',
      help: 'Newcomers claimed per matching round.',
      buckets: [1, 2, 5, 10, 50, 100, 500, 2000],
      registers: [registry],
    }),
    proposals: new Counter({ name: 'kindred_matching_proposals_total', help: 'Proposals stored by matching rounds.', registers: [registry] }),
    contended: new Counter({
      name: 'kindred_matching_reservation_conflicts_total',
      help: 'Newcomers whose chosen peer was taken by a concurrent round (retried at once).',
      registers: [registry],
    }),
  };
}

export type MatchingMetrics = ReturnType<typeof createMatchingMetrics>;
