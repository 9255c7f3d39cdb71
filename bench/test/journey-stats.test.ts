import { describe, expect, it } from 'vitest';
import { parseJourneyArgs, JOURNEY_DEFAULTS } from '../journey/journey-args.js';
import { peerSlots } from '../journey/journey-population.js';
import { readProcCpuSeconds, readProcMemory } from '../journey/service-processes.js';
import { highestSustainedRate, judgeStep, leastSquaresSlope, percentile, percentileByBucket, ratio, summarize, sustained, type LagSample, type StepOutcome } from '../journey/journey-stats.js';

/** Lag readings every 250 ms over `seconds`: a batch solver that empties the backlog every `periodS`, falling behind by `deficitPerS`. */
function sawtooth(ratePerS: number, seconds: number, periodS: number, deficitPerS: number): LagSample[] {
  const samples: LagSample[] = [];
  for (let t = 0; t <= seconds; t += 0.25) {
    const sinceBatch = t % periodS;
    samples.push({ atS: t, lag: Math.round(ratePerS * Math.min(t, sinceBatch + 0.5) + deficitPerS * t) });
  }
  return samples;
}

describe('percentiles', () => {
  it('takes the nearest rank, whatever the order of the samples', () => {
    const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
  });

  it('p99 of 1,000 samples is the 990th smallest, so one slow outlier does not move it', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    samples[500] = 1_000_000;
    expect(percentile(samples, 99)).toBe(991);
  });

  it('has no percentile without samples, and refuses a percentile outside 0–100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([]).count).toBe(0);
    expect(() => percentile([1], 101)).toThrow(/between 0 and 100/);
  });
});

describe('latency over the course of a phase', () => {
  it('gives each 10 s slice its own percentile, by when the journey started, and NaN for an empty slice', () => {
    const points = [
      { startMs: 1_000, valueMs: 100 },
      { startMs: 9_000, valueMs: 300 },
      { startMs: 12_000, valueMs: 900 },
      { startMs: 31_000, valueMs: 50 },
      { startMs: 500, valueMs: 7 }, // before the phase: left out
    ];
    const series = percentileByBucket(points, 1_000, 10_000, 50);
    expect(series).toHaveLength(4);
    expect(series.slice(0, 2)).toEqual([100, 900]);
    expect(series[2]).toBeNaN();
    expect(series[3]).toBe(50);
  });
});

describe('judging whether the backlog grows over a step', () => {
  it('a pipeline that keeps up with batches every 2 s is sustained, though its lag saw-tooths', () => {
    const judgement = judgeStep(sawtooth(20, 15, 2, 0), 15, 20);
    expect(judgement.growing).toBe(false);
    expect(Math.abs(judgement.lagSlopePerS)).toBeLessThan(judgement.toleranceSlopePerS);
  });

  it('a pipeline 25 % short of the offered rate has a growing lag', () => {
    const judgement = judgeStep(sawtooth(20, 15, 2, 5), 15, 20);
    expect(judgement.growing).toBe(true);
    expect(judgement.lagSlopePerS).toBeGreaterThan(4);
  });

  it('leaves out the warm-up, where the lag climbs from zero to its steady level', () => {
    const climbThenFlat: LagSample[] = Array.from({ length: 61 }, (_, k) => ({ atS: k * 0.25, lag: Math.min(k * 0.25, 3) * 40 }));
    expect(judgeStep(climbThenFlat, 15, 40).growing).toBe(false);
    expect(judgeStep(climbThenFlat, 15, 40, { warmupFraction: 0, toleranceShare: 0.1 }).growing).toBe(true);
  });

  it('refuses to judge a step without enough samples after the warm-up', () => {
    expect(() => judgeStep([{ atS: 1, lag: 0 }, { atS: 2, lag: 0 }], 15, 5)).toThrow(/at least 3 lag samples/);
  });

  it('fits the least-squares slope', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2);
    expect(() => leastSquaresSlope([1, 1], [0, 5])).toThrow(/same moment/);
  });
});

describe('the highest sustained rate', () => {
  const step = (ratePerS: number, acceptedPerS: number, growing: boolean): StepOutcome => ({
    ratePerS,
    acceptedPerS,
    judgement: { lagSlopePerS: growing ? ratePerS : 0, toleranceSlopePerS: ratePerS / 10, samplesJudged: 40, growing },
  });

  it('is the last step before the first whose lag grows', () => {
    expect(highestSustainedRate([step(5, 5, false), step(10, 10, false), step(20, 20, true), step(40, 40, false)])).toBe(10);
  });

  it('is not sustained when intake itself accepted less than the offered rate', () => {
    expect(sustained(step(40, 30, false))).toBe(false);
    expect(highestSustainedRate([step(5, 5, false), step(40, 30, false)])).toBe(5);
  });

  it('is undefined when even the first step fell behind', () => {
    expect(highestSustainedRate([step(5, 5, true)])).toBeUndefined();
  });

  it('puts each figure beside its baseline as a ratio, and has no ratio without a baseline', () => {
    expect(ratio(300, 3)).toBe(100);
    expect(ratio(300, 0)).toBeNaN();
    expect(ratio(Number.NaN, 3)).toBeNaN();
  });
});

describe('the command line', () => {
  it('takes the defaults of the brief without options', () => {
    expect(parseJourneyArgs([])).toEqual(JOURNEY_DEFAULTS);
    expect(JOURNEY_DEFAULTS).toMatchObject({ rate: 5, seconds: 60, steps: [5, 10, 20, 40], stepSeconds: 15 });
  });

  it('reads every option', () => {
    expect(parseJourneyArgs(['--rate', '8', '--seconds', '30', '--steps', '10,30', '--step-seconds', '20', '--peers', '300', '--port-base', '8700'])).toEqual({
      rate: 8,
      seconds: 30,
      steps: [10, 30],
      stepSeconds: 20,
      peers: 300,
      portBase: 8700,
    });
  });

  it('names the option that is wrong', () => {
    expect(() => parseJourneyArgs(['--rate', 'fast'])).toThrow(/--rate needs a positive number \(got "fast"\)/);
    expect(() => parseJourneyArgs(['--rate'])).toThrow(/--rate needs a positive number \(got nothing\)/);
    expect(() => parseJourneyArgs(['--steps', '10,5'])).toThrow(/--steps must rise/);
    expect(() => parseJourneyArgs(['--peers', '2.5'])).toThrow(/--peers needs a positive whole number/);
    expect(() => parseJourneyArgs(['--port-base', '80'])).toThrow(/between 1024 and 65000/);
    expect(() => parseJourneyArgs(['--fast'])).toThrow(/unknown option "--fast"/);
  });
});

describe('the peer population', () => {
  it('offers 4–10 places per peer, 7 on average', () => {
    expect(peerSlots(7)).toBe(4 + 5 + 6 + 7 + 8 + 9 + 10);
    expect(peerSlots(400)).toBeGreaterThanOrEqual(2_790);
  });
});

describe('reading a process from /proc', () => {
  it('reads this process: resident memory within its high-water mark, and the CPU time it used', () => {
    const memory = readProcMemory(process.pid);
    expect(memory?.rssMiB).toBeGreaterThan(10);
    expect(memory!.hwmMiB).toBeGreaterThanOrEqual(memory!.rssMiB);
    const before = readProcCpuSeconds(process.pid)!;
    // Busy until the kernel has counted at least one more tick (or 10 s pass, which fails the test).
    const deadline = Date.now() + 10_000;
    while (readProcCpuSeconds(process.pid)! <= before && Date.now() < deadline) Math.sqrt(Math.random());
    expect(readProcCpuSeconds(process.pid)!).toBeGreaterThan(before);
  });

  it('has nothing to say about a process that is gone', () => {
    expect(readProcMemory(2 ** 22 + 1)).toBeUndefined();
    expect(readProcCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });
});
