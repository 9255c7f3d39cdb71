/*
 * Batch assignment: every newcomer of the batch against every peer, hard rules first, then the best total score.
 *
 * Sparse candidates and what they cost: each newcomer keeps its top `candidateLimit` feasible peers (by score,
 * ties by peer id) for the first solve, and up to `candidateReserve` in reserve. Pruning can only lose optimality
 * through an edge that was dropped, so after the solve every dropped edge is checked against the solver's dual
 * certificate: a newcomer whose best dropped score ≤ its slack (π(row) − π(s)) cannot gain from any dropped peer.
 * Newcomers that fail the check get their whole reserve and the batch is solved again. When every newcomer passes
 * (`optimality.exact`), the result is a proven optimum over ALL feasible pairs, not just the kept ones; otherwise
 * it is optimal over the kept candidates and `uncertifiedNewcomers` says how many rows lack the proof.
 * (A simpler sufficient condition also holds: if a newcomer's kept peers offer at least as many free slots as
 * there are newcomers in the batch, one of them is always open to it, so its dropped peers never matter.)
 */
import { explainFactors, type FactorContribution } from './explanation.js';
import { solveGreedy, solveOptimal, type AssignmentGraph } from './assignment-solver.js';
import { resolveContext, type EngineStamp, type MatchContext } from './match-context.js';
import { FACTOR_COUNT, pairRuleFailures, scorePair, toMicros } from './pair-evaluation.js';
import { checkNewcomers, encodeNewcomer, type EncodedNewcomer, type PreparedPeers } from './population.js';
import type { NewcomerProfile, PeerProfile } from './profiles.types.js';
import { reason, type Reason } from './reasons.js';
import { EngineInputError } from './engine-error.js';

export type BatchMode = 'auto' | 'optimal' | 'greedy';

export interface BatchAssignment {
  readonly newcomerId: string;
  readonly peerId: string;
  readonly score: number;
  readonly factors: readonly FactorContribution[];
}

export interface UnassignedNewcomer {
  readonly newcomerId: string;
  readonly reason: Reason;
}

export interface BatchResult extends EngineStamp {
  readonly mode: 'optimal' | 'greedy';
  /** In newcomer id order. */
  readonly assignments: readonly BatchAssignment[];
  /** In newcomer id order. */
  readonly unassigned: readonly UnassignedNewcomer[];
  /** Σ scores of the assignments (exact sum of micro-points, divided by 1e6). */
  readonly totalScore: number;
  readonly optimality: {
    /** True when the total is proven maximal over every feasible pair (optimal mode only). */
    readonly exact: boolean;
    readonly candidateLimit: number;
    /** Newcomers whose candidate list was widened to the reserve for a second solve. */
    readonly widenedNewcomers: number;
    /** Newcomers for which a dropped candidate could not be ruled out. */
    readonly uncertifiedNewcomers: number;
  };
}

export interface BatchOptions {
  /** `auto` (default) is optimal up to config.greedyAboveNewcomers newcomers, greedy above. */
  readonly mode?: BatchMode | undefined;
}

interface CandidateRow {
  readonly newcomer: EncodedNewcomer;
  /** Kept candidates, best first. */
  readonly peers: Int32Array;
  readonly scores: Float64Array;
  /** Best score among feasible peers not kept (−∞ when none). */
  readonly overflowBest: number;
}

/** Keeps the best `size` (score, peer) pairs of a stream; ties prefer the lower peer index. Root = the worst kept. */
class TopCandidates {
  private readonly score: Float64Array;
  private readonly peer: Int32Array;
  count = 0;
  droppedBest = Number.NEGATIVE_INFINITY;
  constructor(private readonly size: number) {
    this.score = new Float64Array(size);
    this.peer = new Int32Array(size);
  }
  reset(): void {
    this.count = 0;
    this.droppedBest = Number.NEGATIVE_INFINITY;
  }
  /** a is worse than b. */
  private worse(sa: number, pa: number, sb: number, pb: number): boolean {
    return sa < sb || (sa === sb && pa > pb);
  }
  offer(s: number, p: number): void {
    if (this.count < this.size) {
      let i = this.count++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(s, p, this.score[parent]!, this.peer[parent]!)) break;
        this.score[i] = this.score[parent]!;
        this.peer[i] = this.peer[parent]!;
        i = parent;
      }
      this.score[i] = s;
      this.peer[i] = p;
      return;
    }
    if (this.worse(s, p, this.score[0]!, this.peer[0]!)) {
      if (s > this.droppedBest) this.droppedBest = s;
      return;
    }
    if (this.score[0]! > this.droppedBest) this.droppedBest = this.score[0]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      let m = l;
      if (l + 1 < this.size && this.worse(this.score[l + 1]!, this.peer[l + 1]!, this.score[l]!, this.peer[l]!)) m = l + 1;
      if (!this.worse(this.score[m]!, this.peer[m]!, s, p)) break;
      this.score[i] = this.score[m]!;
      this.peer[i] = this.peer[m]!;
      i = m;
    }
    this.score[i] = s;
    this.peer[i] = p;
  }
  /** Kept entries, best first. */
  sorted(): { peers: Int32Array; scores: Float64Array } {
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((a, b) => this.score[b]! - this.score[a]! || this.peer[a]! - this.peer[b]!);
    return { peers: Int32Array.from(order, (i) => this.peer[i]!), scores: Float64Array.from(order, (i) => this.score[i]!) };
  }
}

function buildGraph(rows: readonly CandidateRow[], limits: Int32Array, pool: PreparedPeers): { graph: AssignmentGraph; colPeer: Int32Array } {
  const used = new Uint8Array(pool.count);
  let edges = 0;
  rows.forEach((row, r) => {
    const take = limits[r]!;
    edges += take;
    for (let k = 0; k < take; k++) used[row.peers[k]!] = 1;
  });
  const colOfPeer = new Int32Array(pool.count).fill(-1);
  const colPeerList: number[] = [];
  for (let p = 0; p < pool.count; p++) {
    if (used[p] === 1) {
      colOfPeer[p] = colPeerList.length;
      colPeerList.push(p);
    }
  }
  const colPeer = Int32Array.from(colPeerList);
  const colCapacity = Int32Array.from(colPeerList, (p) => pool.capacity[p]! - pool.load[p]!);
  const rowStart = new Int32Array(rows.length + 1);
  const edgeCol = new Int32Array(edges);
  const edgeWeight = new Float64Array(edges);
  let e = 0;
  rows.forEach((row, r) => {
    rowStart[r] = e;
    for (let k = 0; k < limits[r]!; k++) {
      edgeCol[e] = colOfPeer[row.peers[k]!]!;
      edgeWeight[e++] = row.scores[k]!;
    }
  });
  rowStart[rows.length] = e;
  return { graph: { rowCount: rows.length, colCount: colPeer.length, colCapacity, rowStart, edgeCol, edgeWeight }, colPeer };
}

/** Assigns a batch of newcomers to peers with capacities, maximising the total score (or greedily for huge batches). */
export function assignBatch(
  newcomers: readonly NewcomerProfile[],
  peers: readonly PeerProfile[] | PreparedPeers,
  context: MatchContext,
  options: BatchOptions = {},
): BatchResult {
  const ctx = resolveContext(peers, context);
  const { config, nowMs, minGapMs, locale, stamp } = ctx;
  const pool = ctx.peers;
  const requested = options.mode ?? 'auto';
  if (requested !== 'auto' && requested !== 'optimal' && requested !== 'greedy') {
    throw new EngineInputError('MATCH.INVALID_INPUT', 'options.mode must be "auto", "optimal" or "greedy"');
  }
  const sorted = checkNewcomers(newcomers);
  const encoded = sorted.map((n) => encodeNewcomer(n, pool, config, nowMs));

  const unassigned: UnassignedNewcomer[] = [];
  const rows: CandidateRow[] = [];
  const top = new TopCandidates(config.candidateReserve);
  const scratch = new Float64Array(FACTOR_COUNT);
  for (const n of encoded) {
    if (n.urgent) {
      unassigned.push({ newcomerId: n.id, reason: reason('MATCH.NEWCOMER_URGENT', locale) });
      continue;
    }
    const declined = ctx.declined.get(n.id);
    top.reset();
    for (let p = 0; p < pool.count; p++) {
      if (pairRuleFailures(n, pool, p, nowMs, minGapMs, declined) !== 0) continue;
      top.offer(toMicros(scorePair(n, pool, p, nowMs, config, scratch)), p);
    }
    if (top.count === 0) {
      unassigned.push({ newcomerId: n.id, reason: reason('MATCH.NO_FEASIBLE_PEER', locale) });
      continue;
    }
    rows.push({ newcomer: n, ...top.sorted(), overflowBest: top.droppedBest });
  }

  const mode = requested === 'auto' ? (rows.length > config.greedyAboveNewcomers ? 'greedy' : 'optimal') : requested;
  const limits = Int32Array.from(rows, (row) => Math.min(config.candidateLimit, row.peers.length));
  const prunedBest = (r: number): number => {
    const row = rows[r]!;
    return limits[r]! < row.peers.length ? row.scores[limits[r]!]! : row.overflowBest;
  };

  let colOfRow: Int32Array;
  let colPeer: Int32Array;
  let widened = 0;
  let uncertified = 0;
  if (mode === 'greedy') {
    const built = buildGraph(rows, limits, pool);
    colPeer = built.colPeer;
    colOfRow = solveGreedy(built.graph).colOfRow;
  } else {
    let built = buildGraph(rows, limits, pool);
    let solution = solveOptimal(built.graph);
    for (let r = 0; r < rows.length; r++) {
      if (solution.rowSlack[r]! < prunedBest(r) && limits[r]! < rows[r]!.peers.length) {
        limits[r] = rows[r]!.peers.length;
        widened++;
      }
    }
    if (widened > 0) {
      built = buildGraph(rows, limits, pool);
      solution = solveOptimal(built.graph);
    }
    for (let r = 0; r < rows.length; r++) if (solution.rowSlack[r]! < prunedBest(r)) uncertified++;
    colPeer = built.colPeer;
    colOfRow = solution.colOfRow;
  }

  const assignments: BatchAssignment[] = [];
  let totalMicros = 0;
  rows.forEach((row, r) => {
    const col = colOfRow[r]!;
    const n = row.newcomer;
    if (col < 0) {
      unassigned.push({ newcomerId: n.id, reason: reason('MATCH.PEERS_TAKEN_IN_BATCH', locale) });
      return;
    }
    const p = colPeer[col]!;
    const micros = toMicros(scorePair(n, pool, p, nowMs, config, scratch));
    totalMicros += micros;
    assignments.push({ newcomerId: n.id, peerId: pool.ids[p]!, score: micros / 1e6, factors: explainFactors(n, pool, p, scratch, nowMs, config, locale) });
  });
  unassigned.sort((a, b) => (a.newcomerId < b.newcomerId ? -1 : a.newcomerId > b.newcomerId ? 1 : 0));
  return {
    ...stamp,
    mode,
    assignments,
    unassigned,
    totalScore: totalMicros / 1e6,
    optimality: { exact: mode === 'optimal' && uncertified === 0, candidateLimit: config.candidateLimit, widenedNewcomers: widened, uncertifiedNewcomers: uncertified },
  };
}
