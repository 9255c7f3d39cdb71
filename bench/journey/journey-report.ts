// The journey benchmark's figures as a table: each Kindred figure beside its raw baseline from the same run.
import type { MemoryReading } from './service-processes.js';
import type { BullmqBaseline, KafkaBaseline } from './raw-baselines.js';
import { ratio, type LatencySummary, type StepJudgement } from './journey-stats.js';

export interface StepReport {
  readonly ratePerS: number;
  readonly sent: number;
  readonly accepted: number;
  readonly acceptedPerS: number;
  readonly judgement: StepJudgement;
  readonly lagAtEnd: number;
  /** Seconds after the step until every accepted intake had its proposal; NaN when it never did. */
  readonly drainS: number;
  readonly toProposal: LatencySummary;
  sustained: boolean;
}

export interface JourneyReport {
  readonly command: string;
  readonly runName: string;
  readonly startedAt: string;
  readonly machine: { readonly cores: number; readonly node: string; readonly loadAverageStart: readonly number[]; readonly loadAverageEnd: readonly number[] };
  readonly servers: { readonly kafka: string; readonly mongo: string; readonly redis: string };
  readonly settings: { readonly peers: number; readonly matchingBatchWindowMs: number; readonly overrides: Readonly<Record<string, string>>; readonly introductionsPerMatch: number };
  readonly steady: {
    readonly ratePerS: number;
    readonly seconds: number;
    readonly sent: number;
    readonly accepted: number;
    readonly refused: Readonly<Record<string, number>>;
    readonly intakePostAnswered: LatencySummary;
    readonly intakeToProposal: LatencySummary;
    readonly approvals: number;
    readonly approvalErrors: number;
    readonly approvalToFirstSent: LatencySummary;
    readonly approvalToAllSent: LatencySummary;
    readonly introductionsFailed: number;
    readonly settled: boolean;
    /** Whether the backlog grew during the phase: if it did, its latencies are those of a queue, not of a steady state. */
    readonly backlog: StepJudgement;
    /** p50 of each 10 s of the phase, by when the journey started: flat when the phase was steady. */
    readonly trend: { readonly bucketS: number; readonly intakeToProposalP50Ms: readonly number[]; readonly approvalToAllSentP50Ms: readonly number[] };
  };
  readonly steps: readonly StepReport[];
  readonly highestSustainedPerS: number | null;
  readonly memory: Readonly<Record<string, MemoryReading>>;
  /** Wall time from the end of seeding to the last step: what the services' CPU seconds were spent in. */
  readonly loadSeconds: number;
  /** CPU seconds of the shared servers over the same time: they serve every other user of this machine too. */
  readonly serverCpuSeconds: Readonly<Record<string, number>>;
  readonly baselines: { readonly kafka: KafkaBaseline; readonly bullmq: BullmqBaseline; readonly idleNodeRssMiB: number };
  readonly deadServices: readonly string[];
  readonly undecodableEvents: number;
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value).toLocaleString('en')} ms` : '—');
const times = (value: number) => {
  if (!Number.isFinite(value)) return '—';
  if (value >= 10) return `${Math.round(value).toLocaleString('en')}×`;
  return `${value >= 1 ? value.toFixed(1) : value.toPrecision(2)}×`;
};
const seconds = (values: readonly number[]) => values.map((v) => (Number.isFinite(v) ? (v / 1000).toFixed(1) : '—')).join(', ');
const pair = (s: LatencySummary) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`;
const ratios = (k: LatencySummary, b: LatencySummary) => `${times(ratio(k.p50Ms, b.p50Ms))} / ${times(ratio(k.p99Ms, b.p99Ms))}`;
const mib = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} MiB` : '—');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function renderReport(r: JourneyReport): string {
  const { steady, baselines: b } = r;
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const sustainedText = r.highestSustainedPerS === null ? 'none of the steps' : `${r.highestSustainedPerS} intakes/s`;
  const tried = r.steps.map((s) => s.ratePerS);
  const topStep = r.steps.at(-1);
  const qualifier = topStep?.sustained === true && r.highestSustainedPerS === topStep.ratePerS ? ' (the highest step tried: at least this)' : '';
  const headline: string[][] = [
    ['figure', 'Kindred', 'raw baseline, same run', 'ratio'],
    ['intake → proposal p50 / p99', pair(steady.intakeToProposal), `kafkajs produce→consume ${pair(b.kafka.roundTrip)}`, ratios(steady.intakeToProposal, b.kafka.roundTrip)],
    ['approval → all sent p50 / p99', pair(steady.approvalToAllSent), `BullMQ no-op add→processed ${pair(b.bullmq.addToProcessed)}`, ratios(steady.approvalToAllSent, b.bullmq.addToProcessed)],
    ['approval → first sent p50 / p99', pair(steady.approvalToFirstSent), `BullMQ no-op add→processed ${pair(b.bullmq.addToProcessed)}`, ratios(steady.approvalToFirstSent, b.bullmq.addToProcessed)],
    [
      'highest intake rate, lag not growing',
      `${sustainedText}${qualifier}`,
      `kafkajs ${Math.round(b.kafka.messagesPerS).toLocaleString('en')} msg/s; BullMQ ${Math.round(b.bullmq.jobsPerS).toLocaleString('en')} jobs/s`,
      r.highestSustainedPerS === null ? '—' : `${times(ratio(r.highestSustainedPerS, b.kafka.messagesPerS))}; ${times(ratio(r.highestSustainedPerS, b.bullmq.jobsPerS))}`,
    ],
    ...Object.entries(r.memory).map(([name, m]) => [
      `${name} resident memory, peak (idle; CPU used)`,
      `${mib(Math.max(m.peakRssMiB, m.hwmMiB))} (${mib(m.idleRssMiB)}; ${m.cpuSeconds.toFixed(0)} s)`,
      `idle Node 20 + tsx ${mib(b.idleNodeRssMiB)}`,
      times(ratio(Math.max(m.peakRssMiB, m.hwmMiB), b.idleNodeRssMiB)),
    ]),
  ];
  const stepRows: string[][] = [
    ['offered', 'accepted', 'lag slope (tolerance)', 'lag at end', 'drained in', 'intake → proposal p50 / p99', 'verdict'],
    ...r.steps.map((s) => [
      `${s.ratePerS}/s`,
      `${s.acceptedPerS.toFixed(1)}/s`,
      `${s.judgement.lagSlopePerS.toFixed(2)}/s (${s.judgement.toleranceSlopePerS.toFixed(2)})`,
      String(s.lagAtEnd),
      Number.isFinite(s.drainS) ? `${s.drainS.toFixed(1)} s` : 'never',
      pair(s.toProposal),
      s.sustained ? 'sustained' : 'lag grows',
    ]),
  ];
  const refused = Object.entries(steady.refused);
  return `
Kindred journey benchmark — ${r.command}
run ${r.runName}, ${r.startedAt}; ${r.machine.cores} cores, Node ${r.machine.node}; load average ${load(r.machine.loadAverageStart)} at start, ${load(r.machine.loadAverageEnd)} at end
servers: Kafka ${r.servers.kafka}, ${r.servers.mongo}, ${r.servers.redis}; ${r.settings.peers} peers; matching batch window ${r.settings.matchingBatchWindowMs} ms
steady phase: ${steady.ratePerS} intakes/s for ${steady.seconds} s — ${steady.accepted}/${steady.sent} accepted${refused.length > 0 ? ` (refused: ${refused.map(([k, v]) => `${k}×${v}`).join(', ')})` : ''}, ${steady.intakeToProposal.count} proposals, ${steady.approvals} approved (${steady.approvalErrors} errors), ${steady.approvalToAllSent.count} fully introduced (${r.settings.introductionsPerMatch} sends each), ${steady.introductionsFailed} failed${steady.settled ? '' : ' — DID NOT SETTLE'}
  intake → proposal: from the POST leaving the client to the MatchProposed event read from Kafka (intake answered the POST in ${pair(steady.intakePostAnswered)})
  approval → sent: from the ApproveMatch call to the IntroductionDelivered events (provider accepted) read from Kafka
  backlog during the phase: ${steady.backlog.growing ? `GREW by ${steady.backlog.lagSlopePerS.toFixed(2)}/s — ${steady.ratePerS}/s with approvals is more than this machine sustained, so these latencies include a growing queue` : `steady (slope ${steady.backlog.lagSlopePerS.toFixed(2)}/s)`}
  p50 by ${steady.trend.bucketS} s of the phase, in s: intake → proposal ${seconds(steady.trend.intakeToProposalP50Ms)}; approval → all sent ${seconds(steady.trend.approvalToAllSentP50Ms)}

${table(headline)}
(CPU used: user + system seconds of each service over the ${Math.round(r.loadSeconds)} s from the warm-up to the last step, on ${r.machine.cores} shared cores;
 the shared servers, which also served everyone else on this machine: ${Object.entries(r.serverCpuSeconds).map(([name, cpu]) => `${name} ${cpu.toFixed(0)} s`).join(', ')})

rate steps (${tried.map((t) => `${t}/s`).join(', ')}), each judged on its last two thirds: the lag (accepted − proposed) may grow by at most 10 % of the offered rate per second
${table(stepRows)}
${r.deadServices.length > 0 ? `\nSERVICES THAT DIED DURING THE RUN: ${r.deadServices.join(', ')} — the figures are not valid\n` : ''}`;
}
