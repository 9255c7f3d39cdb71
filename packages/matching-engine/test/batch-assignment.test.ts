import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG, EngineInputError, assignBatch, preparePeers, rankCandidates, solveGreedy, solveOptimal } from '@kindred/matching-engine';
import { DAY, NOW, aNewcomer, aPeer, context } from './profiles.fixture.js';

describe('batch assignment', () => {
  it('solves newcomers together instead of first come, first served', () => {
    // Ana fits both peers (Pilar a little better); Bea fits only Pilar. First come, first served gives Pilar to
    // Ana and leaves Bea alone; the batch gives Pilar to Bea and Quique to Ana.
    const ana = aNewcomer({ id: 'ana', topics: ['grief', 'anxiety'], waitingSince: new Date(NOW.getTime() - 10 * DAY) });
    const bea = aNewcomer({ id: 'bea', topics: ['trauma'] });
    const pilar = aPeer({ id: 'pilar', capacity: 1, topics: ['grief', 'anxiety', 'trauma'] });
    const quique = aPeer({ id: 'quique', capacity: 1, topics: ['grief'] });
    const optimal = assignBatch([ana, bea], [pilar, quique], context(), { mode: 'optimal' });
    expect(optimal.assignments.map((a) => [a.newcomerId, a.peerId])).toEqual([
      ['ana', 'quique'],
      ['bea', 'pilar'],
    ]);
    expect(optimal.optimality.exact).toBe(true);
    const greedy = assignBatch([ana, bea], [pilar, quique], context(), { mode: 'greedy' });
    expect(greedy.mode).toBe('greedy');
    expect(greedy.assignments.map((a) => [a.newcomerId, a.peerId])).toEqual([['ana', 'pilar']]);
    expect(greedy.unassigned.map((u) => u.reason.code)).toEqual(['MATCH.PEERS_TAKEN_IN_BATCH']);
    expect(optimal.totalScore).toBeGreaterThan(greedy.totalScore);
  });

  it('gives a peer as many newcomers as their free capacity, never more', () => {
    const newcomers = ['a', 'b', 'c', 'd'].map((id) => aNewcomer({ id }));
    const result = assignBatch(newcomers, [aPeer({ capacity: 3, currentLoad: 1 })], context());
    expect(result.assignments).toHaveLength(2);
    expect(result.unassigned).toHaveLength(2);
  });

  it('when capacity is short, the newcomer who has waited longest is served first', () => {
    const early = aNewcomer({ id: 'z-waited-long', waitingSince: new Date(NOW.getTime() - 12 * DAY) });
    const late = aNewcomer({ id: 'a-just-came', waitingSince: NOW });
    const result = assignBatch([late, early], [aPeer({ capacity: 1 })], context());
    expect(result.assignments.map((a) => a.newcomerId)).toEqual(['z-waited-long']);
  });

  it('explains each assignment and records the versions', () => {
    const result = assignBatch([aNewcomer()], [aPeer()], context({ locale: 'es' }));
    expect(result.assignments[0]?.factors.find((f) => f.factor === 'sharedExperience')?.sentence).toMatch(/^Ambas personas/);
    expect(result.engineVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(result.configVersion).toBe(DEFAULT_ENGINE_CONFIG.version);
  });

  it('switches to greedy automatically above the configured batch size', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, greedyAboveNewcomers: 2 };
    const newcomers = ['a', 'b', 'c'].map((id) => aNewcomer({ id }));
    expect(assignBatch(newcomers.slice(0, 2), [aPeer()], context({ config })).mode).toBe('optimal');
    const big = assignBatch(newcomers, [aPeer()], context({ config }));
    expect(big.mode).toBe('greedy');
    expect(big.optimality.exact).toBe(false);
  });

  it('with a short candidate list, widens the newcomers whose optimality it cannot prove', () => {
    // Both newcomers like the same peers best; with one candidate each they collide and one must be widened.
    const config = { ...DEFAULT_ENGINE_CONFIG, candidateLimit: 1, candidateReserve: 4 };
    const newcomers = ['a', 'b'].map((id) => aNewcomer({ id }));
    const peers = [aPeer({ id: 'p', capacity: 1 }), aPeer({ id: 'q', capacity: 1, currentLoad: 0, topics: ['grief'] })];
    const result = assignBatch(newcomers, peers, context({ config }));
    expect(result.assignments).toHaveLength(2);
    expect(result.optimality.widenedNewcomers).toBeGreaterThan(0);
    expect(result.optimality.exact).toBe(true);
  });

  it('prepared peers give the same answer as raw peers, and reject a different reference instant', () => {
    const peers = [aPeer({ id: 'p1' }), aPeer({ id: 'p2', currentLoad: 1 })];
    const prepared = preparePeers(peers, NOW);
    expect(assignBatch([aNewcomer()], prepared, context())).toEqual(assignBatch([aNewcomer()], peers, context()));
    expect(rankCandidates(aNewcomer(), prepared, context())).toEqual(rankCandidates(aNewcomer(), peers, context()));
    expect(() => rankCandidates(aNewcomer(), prepared, context({ referenceInstant: new Date('2025-07-01T00:00:00Z') }))).toThrow(/referenceInstant/);
  });
});

describe('the assignment solver', () => {
  const graph = (rows: number[][], cols: number[], weights: number[][]) => {
    const rowStart = [0];
    const edgeCol: number[] = [];
    const edgeWeight: number[] = [];
    rows.forEach((cs, r) => {
      cs.forEach((c, k) => {
        edgeCol.push(c);
        edgeWeight.push(weights[r]![k]!);
      });
      rowStart.push(edgeCol.length);
    });
    return {
      rowCount: rows.length,
      colCount: cols.length,
      colCapacity: Int32Array.from(cols),
      rowStart: Int32Array.from(rowStart),
      edgeCol: Int32Array.from(edgeCol),
      edgeWeight: Float64Array.from(edgeWeight),
    };
  };

  it('lets a later, better-suited row displace an earlier one when the column is full', () => {
    const g = graph([[0], [0]], [1], [[5], [9]]);
    const solution = solveOptimal(g);
    expect(Array.from(solution.colOfRow)).toEqual([-1, 0]);
    expect(solution.total).toBe(9);
  });

  it('moves rows along a chain to make room (the augmenting path)', () => {
    // Row 0 prefers column 0 (10) over column 1 (9); row 1 only has column 0 (8). Optimum: 0→1, 1→0 = 17.
    const g = graph([[0, 1], [0]], [1, 1], [[10, 9], [8]]);
    const solution = solveOptimal(g);
    expect(Array.from(solution.colOfRow)).toEqual([1, 0]);
    expect(solution.total).toBe(17);
    expect(solveGreedy(g).total).toBe(10);
  });

  it('leaves a row unassigned rather than taking a negative gain', () => {
    const g = graph([[0], [0]], [1], [[3], [-2]]);
    expect(Array.from(solveOptimal(g).colOfRow)).toEqual([0, -1]);
  });

  it('rejects non-integer weights and edges to unknown columns with a clear error', () => {
    expect(() => solveOptimal(graph([[0]], [1], [[0.5]]))).toThrow(EngineInputError);
    expect(() => solveOptimal(graph([[3]], [1], [[1]]))).toThrow(/column 3/);
  });
});

describe('bad input', () => {
  it('rejects an invalid configuration, naming the field', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, weights: { ...DEFAULT_ENGINE_CONFIG.weights, load: -1 } };
    expect(() => rankCandidates(aNewcomer(), [aPeer()], context({ config }))).toThrow(/EngineConfig\.weights\.load/);
    const reserve = { ...DEFAULT_ENGINE_CONFIG, candidateReserve: 2, candidateLimit: 5 };
    expect(() => assignBatch([aNewcomer()], [aPeer()], context({ config: reserve }))).toThrow(/candidateReserve/);
  });

  it('rejects an unknown time zone, a bad window and duplicate ids, naming what is wrong', () => {
    expect(() => rankCandidates(aNewcomer({ timeZone: 'Mars/Olympus' }), [aPeer()], context())).toThrow(/timeZone "Mars\/Olympus"/);
    expect(() => rankCandidates(aNewcomer(), [aPeer({ availability: [{ day: 0, startMinute: 600, endMinute: 610 }] })], context())).toThrow(
      /endMinute/,
    );
    expect(() => assignBatch([aNewcomer(), aNewcomer()], [aPeer()], context())).toThrow(/newcomer id "newcomer-1" appears more than once/);
    expect(() => rankCandidates(aNewcomer(), [aPeer(), aPeer()], context())).toThrow(/peer id "peer-1"/);
  });

  it('rejects an unknown batch mode', () => {
    expect(() => assignBatch([aNewcomer()], [aPeer()], context(), { mode: 'fastest' as 'greedy' })).toThrow(/options\.mode/);
  });
});
