// Matching-engine figures: ranking, batch assignment (optimal vs greedy), and the dense LAP against SciPy.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignBatch, preparePeers, rankCandidates, scoreMatrix, solveGreedy, solveOptimal, type AssignmentGraph } from '@kindred/matching-engine';
import { BENCH_NOW, PopulationGenerator } from './engine-population.js';

const context = { now: BENCH_NOW };
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function benchRank(peerCount: number): void {
  const generator = new PopulationGenerator(peerCount);
  const peers = generator.peers(peerCount);
  const newcomers = generator.newcomers(7);
  let start = process.hrtime.bigint();
  const prepared = preparePeers(peers, BENCH_NOW);
  const prepareMs = ms(start);
  const times: number[] = [];
  let feasible = 0;
  for (const newcomer of newcomers) {
    start = process.hrtime.bigint();
    const ranked = rankCandidates(newcomer, prepared, context);
    times.push(ms(start));
    feasible += ranked.feasibleCount;
  }
  start = process.hrtime.bigint();
  rankCandidates(newcomers[0]!, peers, context);
  const coldMs = ms(start);
  console.log(
    `rank 1 newcomer × ${peerCount.toLocaleString('en')} peers: ${fmt(median(times))} ms median of ${times.length} (prepared peers; ` +
      `preparing them once: ${fmt(prepareMs)} ms; unprepared call: ${fmt(coldMs)} ms; ~${Math.round(feasible / times.length)} feasible, all skipped ones explained)`,
  );
}

function benchBatch(newcomerCount: number, peerCount: number): void {
  const generator = new PopulationGenerator(newcomerCount * 7 + peerCount);
  const peers = generator.peers(peerCount);
  const newcomers = generator.newcomers(newcomerCount);
  const prepared = preparePeers(peers, BENCH_NOW);
  let start = process.hrtime.bigint();
  const optimal = assignBatch(newcomers, prepared, context, { mode: 'optimal' });
  const optimalMs = ms(start);
  start = process.hrtime.bigint();
  const greedy = assignBatch(newcomers, prepared, context, { mode: 'greedy' });
  const greedyMs = ms(start);
  const gap = ((optimal.totalScore - greedy.totalScore) / optimal.totalScore) * 100;
  console.log(
    `assign ${newcomerCount.toLocaleString('en')} × ${peerCount.toLocaleString('en')} (capacities 1–4): optimal ${fmt(optimalMs)} ms ` +
      `(${optimal.assignments.length} assigned, total ${optimal.totalScore.toFixed(6)}, exact=${String(optimal.optimality.exact)}, ` +
      `widened ${optimal.optimality.widenedNewcomers}, uncertified ${optimal.optimality.uncertifiedNewcomers}); ` +
      `greedy ${fmt(greedyMs)} ms (${greedy.assignments.length} assigned, total ${greedy.totalScore.toFixed(6)}); greedy gap ${gap.toFixed(3)}%`,
  );
}

function pythonWithScipy(): string {
  const venv = join(process.env['KINDRED_CACHE'] ?? join(homedir(), '.cache', 'kindred'), 'py');
  const python = join(venv, 'bin', 'python');
  const ready = existsSync(python) && spawnSync(python, ['-c', 'import numpy, scipy.optimize'], { stdio: 'ignore' }).status === 0;
  if (!ready) {
    console.log(`setting up a Python venv with numpy and scipy in ${venv} (first run only)…`);
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--progress-bar', 'on', 'numpy', 'scipy'], { stdio: 'inherit' });
  }
  return python;
}

const SCIPY_SOLVE = `
import json, sys, time
import numpy as np
from scipy.optimize import linear_sum_assignment
n = int(sys.argv[2])
m = np.fromfile(sys.argv[1], dtype='<f8').reshape(n, n)
t = time.perf_counter()
rows, cols = linear_sum_assignment(m, maximize=True)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "total": float(m[rows, cols].sum())}))
`;

function benchDense(size: number): void {
  const generator = new PopulationGenerator(424242);
  const peers = generator.peers(size, true);
  const newcomers = generator.newcomers(size, true);
  const matrix = scoreMatrix(newcomers, peers, context);
  if (matrix.micros.some((x) => Number.isNaN(x))) throw new Error('the dense instance has an infeasible pair');
  const rowStart = Int32Array.from({ length: size + 1 }, (_, r) => r * size);
  const graph: AssignmentGraph = {
    rowCount: size,
    colCount: size,
    colCapacity: new Int32Array(size).fill(1),
    rowStart,
    edgeCol: Int32Array.from({ length: size * size }, (_, e) => e % size),
    edgeWeight: matrix.micros,
  };
  let start = process.hrtime.bigint();
  const ours = solveOptimal(graph);
  const oursMs = ms(start);
  start = process.hrtime.bigint();
  const greedy = solveGreedy(graph);
  const greedyMs = ms(start);

  const python = pythonWithScipy();
  const dir = mkdtempSync(join(tmpdir(), 'kindred-lap-'));
  try {
    const file = join(dir, 'scores.f64');
    writeFileSync(file, Buffer.from(matrix.micros.buffer, matrix.micros.byteOffset, matrix.micros.byteLength));
    const script = join(dir, 'solve.py');
    writeFileSync(script, SCIPY_SOLVE);
    const scipy = JSON.parse(execFileSync(python, [script, file, String(size)], { encoding: 'utf8' })) as { seconds: number; total: number };
    const same = Math.abs(scipy.total / 1e6 - ours.total / 1e6) <= 1e-6;
    console.log(
      `dense ${size.toLocaleString('en')} × ${size.toLocaleString('en')} LAP: engine ${fmt(oursMs)} ms, SciPy linear_sum_assignment ${fmt(scipy.seconds * 1000)} ms ` +
        `(engine/SciPy = ${(oursMs / (scipy.seconds * 1000)).toFixed(2)}×); totals ${(ours.total / 1e6).toFixed(6)} vs ${(scipy.total / 1e6).toFixed(6)} → ` +
        `${same ? 'SAME OPTIMUM ✔' : 'MISMATCH ✘'}; greedy ${fmt(greedyMs)} ms, gap ${(((ours.total - greedy.total) / ours.total) * 100).toFixed(3)}%`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: readonly string[]): Promise<void> {
  const only = new Set(args);
  const want = (name: string): boolean => only.size === 0 || only.has(name);
  console.log(`matching engine benchmark (Node ${process.version}, seeded data)`);
  if (want('rank')) {
    benchRank(10_000);
    benchRank(100_000);
  }
  if (want('batch')) {
    benchBatch(500, 5_000);
    benchBatch(2_000, 20_000);
  }
  if (want('dense')) benchDense(2_000);
  await Promise.resolve();
}
