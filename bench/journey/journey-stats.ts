// The pure arithmetic of the journey benchmark: percentiles, lag growth over a load step, ratios. No I/O.

/** Nearest-rank percentile (p in 0–100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be between 0 and 100 (got ${p})`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  return {
    count: samplesMs.length,
    p50Ms: percentile(samplesMs, 50),
    p99Ms: percentile(samplesMs, 99),
    maxMs: samplesMs.length === 0 ? Number.NaN : Math.max(...samplesMs),
  };
}

/** One reading of the backlog: intakes accepted minus proposals observed, `atS` seconds into the step. */
export interface LagSample {
  readonly atS: number;
  readonly lag: number;
}

export interface StepJudgement {
  /** Least-squares slope of the lag over the judged part of the step, in newcomers per second. */
  readonly lagSlopePerS: number;
  /** The slope above which the lag counts as growing. */
  readonly toleranceSlopePerS: number;
  readonly samplesJudged: number;
  readonly growing: boolean;
}

export interface JudgeOptions {
  /** Leading part of the step left out: the lag climbs from zero to its steady level there (batch window, latency). */
  readonly warmupFraction: number;
  /** The lag may grow by at most this share of the offered rate per second (proposals keep ≥ 1 − share of the pace). */
  readonly toleranceShare: number;
}

export const DEFAULT_JUDGE: JudgeOptions = { warmupFraction: 1 / 3, toleranceShare: 0.1 };

/**
 * Whether the backlog grows over a step run at `ratePerS`. A pipeline that keeps up has a lag that climbs to
 * rate × latency and then saw-tooths around it (matching solves newcomers in batches), so its slope after the warm-up
 * is about zero; one that falls behind adds (rate − throughput) newcomers to the lag every second.
 */
export function judgeStep(samples: readonly LagSample[], stepSeconds: number, ratePerS: number, options: JudgeOptions = DEFAULT_JUDGE): StepJudgement {
  if (!(ratePerS > 0)) throw new RangeError(`rate must be positive (got ${ratePerS})`);
  if (!(stepSeconds > 0)) throw new RangeError(`step length must be positive (got ${stepSeconds})`);
  const from = stepSeconds * options.warmupFraction;
  const judged = samples.filter((s) => s.atS >= from && s.atS <= stepSeconds);
  if (judged.length < 3) throw new RangeError(`need at least 3 lag samples after the warm-up to judge a step (got ${judged.length})`);
  const slope = leastSquaresSlope(judged.map((s) => s.atS), judged.map((s) => s.lag));
  const tolerance = options.toleranceShare * ratePerS;
  return { lagSlopePerS: slope, toleranceSlopePerS: tolerance, samplesJudged: judged.length, growing: slope > tolerance };
}

export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError('need two or more (x, y) pairs');
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = xs[i]! - mx;
    num += dx * (ys[i]! - my);
    den += dx * dx;
  }
  if (den === 0) throw new RangeError('all samples were taken at the same moment');
  return num / den;
}

export interface StepOutcome {
  readonly ratePerS: number;
  /** Intakes answered 201 per second over the step: below the offered rate when intake itself is the limit. */
  readonly acceptedPerS: number;
  readonly judgement: StepJudgement;
}

/** A step is sustained when intake accepted (nearly) the offered rate and the backlog did not grow. */
export function sustained(step: StepOutcome, acceptShare = 0.95): boolean {
  return !step.judgement.growing && step.acceptedPerS >= acceptShare * step.ratePerS;
}

/** The highest offered rate of the steps sustained before the first one that was not, or undefined if none was. */
export function highestSustainedRate(steps: readonly StepOutcome[]): number | undefined {
  let best: number | undefined;
  for (const step of steps) {
    if (!sustained(step)) break;
    best = step.ratePerS;
  }
  return best;
}

/** kindred ÷ baseline, or NaN when either side is missing. */
export function ratio(kindred: number, baseline: number): number {
  return Number.isFinite(kindred) && Number.isFinite(baseline) && baseline !== 0 ? kindred / baseline : Number.NaN;
}

/**
 * The percentile of each consecutive `bucketMs` slice of a phase, by when each sample started: a steady phase shows
 * a flat series, a pipeline falling behind a rising one. Empty slices are NaN.
 */
export function percentileByBucket(points: readonly { readonly startMs: number; readonly valueMs: number }[], phaseStartMs: number, bucketMs: number, p: number): number[] {
  if (!(bucketMs > 0)) throw new RangeError(`bucket must be positive (got ${bucketMs})`);
  const buckets: number[][] = [];
  for (const point of points) {
    const index = Math.floor((point.startMs - phaseStartMs) / bucketMs);
    if (index < 0) continue;
    (buckets[index] ??= []).push(point.valueMs);
  }
  return Array.from(buckets, (values) => percentile(values ?? [], p));
}
