import type { SeededRandom } from './seeded-random.js';

export type ServiceName = 'intake' | 'matching' | 'notifier' | 'console';
export const SERVICE_NAMES: readonly ServiceName[] = ['intake', 'matching', 'notifier', 'console'];
export type RestartableServer = 'kafka' | 'redis' | 'mongo';

export type Fault =
  | { readonly kind: 'kill-service'; readonly atMs: number; readonly service: ServiceName }
  | { readonly kind: 'restart-server'; readonly atMs: number; readonly server: RestartableServer; readonly downMs: number }
  | { readonly kind: 'smtp-4xx'; readonly atMs: number; readonly seconds: number }
  | { readonly kind: 'sms-429-500'; readonly atMs: number; readonly seconds: number };

export interface ScheduleOptions {
  /** How long the load runs; every fault starts inside it. */
  readonly loadMs: number;
  /** Extra SIGKILLs beyond one per service. */
  readonly extraKills: number;
  readonly providerFaultSeconds: number;
}

/**
 * Every fault the suite promises, at random moments of the load window: each service SIGKILLed at least once, Kafka,
 * Redis and the MongoDB-wire server restarted once each, SMTP answering 4xx and SMS 429/500 for a while. Server
 * restarts are spread over separate slices of the window so that one restart has finished before the next begins
 * (two servers down at once would prove less, not more). Sorted by time.
 */
export function faultSchedule(random: SeededRandom, options: ScheduleOptions): Fault[] {
  const { loadMs } = options;
  // Leave the first 10 % for the stream to get going, and the last 10 % so that the last fault is met under load.
  const start = loadMs * 0.1;
  const span = loadMs * 0.8;
  const at = (from: number, to: number): number => Math.round(start + span * (from + random.next() * (to - from)));
  const faults: Fault[] = [];

  const servers: RestartableServer[] = ['kafka', 'redis', 'mongo'];
  // Shuffle, then give each server its own third of the window.
  for (let i = servers.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    const a = servers[i];
    const b = servers[j];
    if (a === undefined || b === undefined) throw new Error('shuffle out of range');
    servers[i] = b;
    servers[j] = a;
  }
  servers.forEach((server, index) => {
    faults.push({ kind: 'restart-server', atMs: at(index / 3, index / 3 + 0.2), server, downMs: random.int(1_000, 4_000) });
  });

  for (const service of SERVICE_NAMES) faults.push({ kind: 'kill-service', atMs: at(0, 1), service });
  for (let i = 0; i < options.extraKills; i += 1) faults.push({ kind: 'kill-service', atMs: at(0, 1), service: random.pick(SERVICE_NAMES) });

  faults.push({ kind: 'smtp-4xx', atMs: at(0, 0.8), seconds: options.providerFaultSeconds });
  faults.push({ kind: 'sms-429-500', atMs: at(0, 0.8), seconds: options.providerFaultSeconds });
  return faults.sort((a, b) => a.atMs - b.atMs);
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'kill-service':
      return `SIGKILL ${fault.service}`;
    case 'restart-server':
      return `restart ${fault.server} (down ${(fault.downMs / 1000).toFixed(1)} s + start)`;
    case 'smtp-4xx':
      return `SMTP answers 451 to everyone for ${fault.seconds} s`;
    case 'sms-429-500':
      return `SMS answers 429/500 to everyone for ${fault.seconds} s`;
  }
}
