/*
 * Maximum-weight assignment of rows (newcomers) to columns (peers) with column capacities, where a row may stay
 * unassigned. Weights are integers (micro-points), so every sum below is exact.
 *
 * Why min-cost flow by successive shortest paths (SSP) with potentials rather than Jonker–Volgenant on an
 * expanded matrix: capacities are native (one peer node whose edge to the sink holds its free slots) instead of
 * copying each peer into `capacity` identical columns, the graph stays sparse (top-K candidates per newcomer),
 * and "may stay unassigned" needs no dummy columns.
 *
 * Network: s → row (cap 1, cost 0), row → col (cap 1, cost −w), col → s (cap = free capacity, cost 0). The sink
 * is merged into the source (a free t → s edge of cost 0), so a min-cost flow of any value is a min-cost
 * circulation. Rows are added one at a time, in id order (the Hungarian scheme): for row k, Dijkstra on reduced
 * costs c(u,v) + π(u) − π(v) ≥ 0 finds the cheapest cycle s → k → … → s. It ends at s either through a column
 * with a free slot (k is placed, possibly moving others along the way) or through an assigned row that gives up
 * its place (k displaces someone who scores less). If the cycle's real cost d(s) + π(s) − π(k) is negative it is
 * applied, otherwise k stays unassigned.
 *
 * Exactness: before row k the residual network has no negative cycle (all reduced costs ≥ 0). The only new edge
 * is s → k with capacity 1, so an optimal circulation for rows 1…k differs from the current one by at most one
 * cycle through s → k, and the cheapest such cycle is what Dijkstra finds. By induction the final assignment is
 * a maximum-weight one for the graph. The final potentials are the certificate: every residual edge has reduced
 * cost ≥ 0. `rowSlack` = π(row) − π(s) lets a caller that pruned edges check them against that certificate:
 * adding a pruned edge (r, c) of weight w keeps every reduced cost ≥ 0 when w ≤ rowSlack[r] (a column outside
 * the graph may take π(c) = π(s); a column with a free slot may too; a full one has π(c) ≤ π(s)).
 *
 * Potential update with an early stop: π(v) += min(d(v), d(s)). Nodes popped before s get their own d(v);
 * everything else gets d(s), which is a common shift and so is dropped: a round only touches what it visited. This keeps every
 * reduced cost ≥ 0 (for a popped u, d(v) ≤ d(u) + c_π(u,v); otherwise both ends move by at most d(s), and s,
 * which is never expanded, moves by the most).
 *
 * Ties: the heap orders by (distance, node index) and indices follow id order, so equal-weight optima are chosen
 * the same way every time.
 */
import { EngineInputError } from './engine-error.js';

export interface AssignmentGraph {
  readonly rowCount: number;
  readonly colCount: number;
  /** Free capacity per column. */
  readonly colCapacity: Int32Array;
  /** CSR: the edges of row r are rowStart[r] … rowStart[r+1]−1. */
  readonly rowStart: Int32Array;
  readonly edgeCol: Int32Array;
  /** Integer weights (micro-points); larger is better. */
  readonly edgeWeight: Float64Array;
}

export interface AssignmentSolution {
  /** Column of each row, −1 when unassigned. */
  readonly colOfRow: Int32Array;
  readonly total: number;
  /** π(row) − π(t) at the end: a pruned edge (r, c) of weight w cannot improve the optimum when w ≤ rowSlack[r]. */
  readonly rowSlack: Float64Array;
  readonly augmentations: number;
}

export function checkGraph(g: AssignmentGraph): void {
  const bad = (message: string): never => {
    throw new EngineInputError('MATCH.INVALID_INPUT', `assignment graph: ${message}`);
  };
  if (g.rowStart.length !== g.rowCount + 1 || g.rowStart[0] !== 0) bad('rowStart must have rowCount + 1 entries starting at 0');
  if (g.colCapacity.length !== g.colCount) bad('colCapacity must have colCount entries');
  const edges = g.rowStart[g.rowCount]!;
  if (g.edgeCol.length < edges || g.edgeWeight.length < edges) bad('edge arrays are shorter than rowStart says');
  for (let r = 0; r < g.rowCount; r++) if (g.rowStart[r + 1]! < g.rowStart[r]!) bad(`rowStart decreases at row ${r}`);
  for (let e = 0; e < edges; e++) {
    const c = g.edgeCol[e]!;
    if (c < 0 || c >= g.colCount) bad(`edge ${e} points at column ${c}, outside 0…${g.colCount - 1}`);
    if (!Number.isSafeInteger(g.edgeWeight[e]!)) bad(`edge ${e} weight must be a safe integer (micro-points)`);
  }
  for (let c = 0; c < g.colCount; c++) if (g.colCapacity[c]! < 0) bad(`column ${c} capacity is negative`);
}

/** Binary min-heap of (key, node) with lazy deletion; ties broken by node index. */
class NodeHeap {
  private readonly keys: Float64Array;
  private readonly nodes: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.nodes = new Int32Array(capacity);
  }
  private less(i: number, j: number): boolean {
    const a = this.keys[i]!;
    const b = this.keys[j]!;
    return a < b || (a === b && this.nodes[i]! < this.nodes[j]!);
  }
  private swap(i: number, j: number): void {
    const k = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = k;
    const n = this.nodes[i]!;
    this.nodes[i] = this.nodes[j]!;
    this.nodes[j] = n;
  }
  push(key: number, node: number): void {
    let i = this.size++;
    this.keys[i] = key;
    this.nodes[i] = node;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  topKey(): number {
    return this.keys[0]!;
  }
  /** Removes the minimum and returns its node. */
  pop(): number {
    const node = this.nodes[0]!;
    const last = --this.size;
    if (last > 0) {
      this.keys[0] = this.keys[last]!;
      this.nodes[0] = this.nodes[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        let m = l;
        if (l + 1 < last && this.less(l + 1, l)) m = l + 1;
        if (!this.less(m, i)) break;
        this.swap(i, m);
        i = m;
      }
    }
    return node;
  }
}

export function solveOptimal(g: AssignmentGraph): AssignmentSolution {
  checkGraph(g);
  const R = g.rowCount;
  const C = g.colCount;
  const S = R + C;
  const { rowStart, edgeCol, edgeWeight, colCapacity } = g;
  const edgeCount = rowStart[R]!;

  // Potentials. Nodes not popped in a round all move by the same d(s); since only differences π(u) − π(v) are
  // ever used, that common move is dropped and popped nodes move by d(v) − d(s) instead.
  const pi = new Float64Array(R + C + 1);

  const colOfRow = new Int32Array(R).fill(-1);
  const matchedWeight = new Float64Array(R);
  const load = new Int32Array(C);
  // Rows assigned to each column, as doubly linked lists (the reverse edges col → row).
  const colHead = new Int32Array(C).fill(-1);
  const rowNext = new Int32Array(R).fill(-1);
  const rowPrev = new Int32Array(R).fill(-1);
  const unlink = (r: number, c: number): void => {
    const next = rowNext[r]!;
    const prev = rowPrev[r]!;
    if (prev >= 0) rowNext[prev] = next;
    else colHead[c] = next;
    if (next >= 0) rowPrev[next] = prev;
  };
  const link = (r: number, c: number): void => {
    const head = colHead[c]!;
    rowPrev[r] = -1;
    rowNext[r] = head;
    if (head >= 0) rowPrev[head] = r;
    colHead[c] = r;
  };

  const dist = new Float64Array(R + C + 1).fill(Number.POSITIVE_INFINITY);
  const done = new Uint8Array(R + C + 1);
  const pred = new Int32Array(R + C + 1).fill(-1);
  const predEdge = new Int32Array(R + C + 1).fill(-1);
  const touched = new Int32Array(R + C + 1);
  const finalized = new Int32Array(R + C + 1);
  const heap = new NodeHeap(edgeCount + 2 * R + 2 * C + 2);
  const processed = new Uint8Array(R);
  let total = 0;
  let augmentations = 0;

  for (let k = 0; k < R; k++) {
    // π(k) = max over usable edges of (w + π(col)) makes every edge out of k have reduced cost ≥ 0.
    let best = Number.NEGATIVE_INFINITY;
    for (let e = rowStart[k]!, end = rowStart[k + 1]!; e < end; e++) {
      const c = edgeCol[e]!;
      if (colCapacity[c]! > 0) best = Math.max(best, edgeWeight[e]! + pi[R + c]!);
    }
    if (best === Number.NEGATIVE_INFINITY) continue; // no usable edge: stays unassigned, outside the network
    processed[k] = 1;
    pi[k] = best;

    let touchedCount = 1;
    let finalizedCount = 0;
    touched[0] = k;
    dist[k] = 0;
    heap.size = 0;
    heap.push(0, k);
    let reached = false;
    while (heap.size > 0) {
      const d = heap.topKey();
      const u = heap.pop();
      if (done[u] === 1 || d > dist[u]!) continue;
      done[u] = 1;
      finalized[finalizedCount++] = u;
      if (u === S) {
        reached = true;
        break;
      }
      const piU = pi[u]!;
      if (u < R) {
        const own = colOfRow[u]!;
        if (own >= 0) {
          // An assigned row may give up its place: edge row → s (cost 0).
          const nd = d + (piU - pi[S]!);
          if (nd < dist[S]!) {
            if (dist[S] === Number.POSITIVE_INFINITY) touched[touchedCount++] = S;
            dist[S] = nd;
            pred[S] = u;
            heap.push(nd, S);
          }
        }
        for (let e = rowStart[u]!, end = rowStart[u + 1]!; e < end; e++) {
          const c = edgeCol[e]!;
          if (c === own || colCapacity[c]! === 0) continue;
          const v = R + c;
          const nd = d + (piU - edgeWeight[e]! - pi[v]!);
          if (nd < dist[v]!) {
            if (dist[v] === Number.POSITIVE_INFINITY) touched[touchedCount++] = v;
            dist[v] = nd;
            pred[v] = u;
            predEdge[v] = e;
            heap.push(nd, v);
          }
        }
      } else {
        const c = u - R;
        if (load[c]! < colCapacity[c]!) {
          const nd = d + (piU - pi[S]!);
          if (nd < dist[S]!) {
            if (dist[S] === Number.POSITIVE_INFINITY) touched[touchedCount++] = S;
            dist[S] = nd;
            pred[S] = u;
            heap.push(nd, S);
          }
        }
        for (let r = colHead[c]!; r >= 0; r = rowNext[r]!) {
          const nd = d + (matchedWeight[r]! + piU - pi[r]!);
          if (nd < dist[r]!) {
            if (dist[r] === Number.POSITIVE_INFINITY) touched[touchedCount++] = r;
            dist[r] = nd;
            pred[r] = u;
            heap.push(nd, r);
          }
        }
      }
    }

    // Every column k can reach leads to s (free slot, or an assigned row that can give way), so s is reached.
    const D = reached ? dist[S]! : Number.POSITIVE_INFINITY;
    if (!reached) throw new Error('matching engine invariant broken: s unreachable from a row with a usable edge');
    const cycleCost = D + pi[S]! - pi[k]!;
    for (let i = 0; i < finalizedCount; i++) {
      const v = finalized[i]!;
      pi[v] = pi[v]! + dist[v]! - D;
    }
    const last = pred[S]!;
    for (let i = 0; i < touchedCount; i++) {
      const v = touched[i]!;
      dist[v] = Number.POSITIVE_INFINITY;
      done[v] = 0;
    }
    if (cycleCost >= 0) continue;

    // Apply the cycle, walking back from s.
    let c: number;
    if (last < R) {
      // `last` gives up its place to make room.
      c = colOfRow[last]!;
      unlink(last, c);
      total -= matchedWeight[last]!;
      colOfRow[last] = -1;
      matchedWeight[last] = 0;
    } else {
      c = last - R;
      load[c] = load[c]! + 1;
    }
    for (;;) {
      const r = pred[R + c]!;
      const previous = colOfRow[r]!;
      if (previous >= 0) {
        unlink(r, previous);
        total -= matchedWeight[r]!;
      }
      const w = edgeWeight[predEdge[R + c]!]!;
      colOfRow[r] = c;
      matchedWeight[r] = w;
      total += w;
      link(r, c);
      if (r === k) break;
      c = previous;
    }
    augmentations++;
  }

  const rowSlack = new Float64Array(R);
  for (let r = 0; r < R; r++) rowSlack[r] = processed[r] === 1 ? pi[r]! - pi[S]! : Number.NEGATIVE_INFINITY;
  return { colOfRow, total, rowSlack, augmentations };
}

/**
 * Greedy: take edges by weight (ties: row, then column index) while both ends are free. Rows' edges are
 * merged through a heap of row heads instead of sorting every edge: same order, less work.
 */
export function solveGreedy(g: AssignmentGraph): { readonly colOfRow: Int32Array; readonly total: number } {
  checkGraph(g);
  const R = g.rowCount;
  const { rowStart, edgeCol, edgeWeight } = g;
  // Per-row edge order: weight desc, column asc.
  const order = new Int32Array(rowStart[R]!);
  for (let r = 0; r < R; r++) {
    const start = rowStart[r]!;
    const end = rowStart[r + 1]!;
    const slice = Array.from({ length: end - start }, (_, k) => start + k);
    slice.sort((a, b) => edgeWeight[b]! - edgeWeight[a]! || edgeCol[a]! - edgeCol[b]!);
    for (let k = 0; k < slice.length; k++) order[start + k] = slice[k]!;
  }
  const remaining = Int32Array.from(g.colCapacity);
  const colOfRow = new Int32Array(R).fill(-1);
  const cursor = Int32Array.from(rowStart.subarray(0, R));
  // Max-heap by (weight desc, row asc, col asc), stored as a min-heap on negated weight with node = row.
  const heap = new NodeHeap(R + 1);
  const key = (r: number): number => -edgeWeight[order[cursor[r]!]!]!;
  for (let r = 0; r < R; r++) if (cursor[r]! < rowStart[r + 1]!) heap.push(key(r), r);
  let total = 0;
  while (heap.size > 0) {
    const r = heap.pop();
    const e = order[cursor[r]!]!;
    const c = edgeCol[e]!;
    if (remaining[c]! > 0) {
      remaining[c] = remaining[c]! - 1;
      colOfRow[r] = c;
      total += edgeWeight[e]!;
      continue;
    }
    cursor[r] = cursor[r]! + 1;
    if (cursor[r] < rowStart[r + 1]!) heap.push(key(r), r);
  }
  return { colOfRow, total };
}
