import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS,
  DEFAULT_ENGINE_CONFIG,
  MEETING_MODES,
  assignBatch,
  rankCandidates,
  solveGreedy,
  solveOptimal,
  type AssignmentGraph,
  type DeclinedPair,
  type MatchContext,
  type NewcomerProfile,
  type PeerProfile,
} from '@kindred/matching-engine';
import { breaksHardRule } from './hard-rule.oracle.js';
import { DAY, NOW } from './profiles.fixture.js';

// Populations come from a seeded generator tuned so that most pairs are feasible (assignments are contested) while
// every hard rule is still broken now and then; fast-check supplies the seeds and sizes and shrinks the sizes.
interface Population {
  newcomers: NewcomerProfile[];
  peers: PeerProfile[];
  declined: DeclinedPair[];
}

function randomPopulation(seed: number, newcomerCount: number, peerCount: number): Population {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chance = (p: number): boolean => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const some = <T>(items: readonly T[]): T[] => {
    const out = items.filter(() => chance(0.5));
    return out.length > 0 ? out : [pick(items)];
  };
  const daysAgo = (d: number): Date => new Date(NOW.getTime() - Math.round(d) * DAY);
  const pause = (fromDaysAgo: number) => ({ from: daysAgo(fromDaysAgo), until: chance(0.5) ? daysAgo(fromDaysAgo - 1 - random() * 5) : undefined });
  const person = (): Omit<PeerProfile, 'id' | 'active' | 'consented' | 'capacity' | 'currentLoad' | 'recoveryStartedAt'> => ({
    languages: chance(0.05) ? ['fr'] : chance(0.2) ? ['en', 'es'] : ['en'],
    topics: chance(0.85) ? ['grief', ...some(['anxiety', 'trauma', 'addiction'])] : some(['anxiety', 'trauma']),
    meetingModes: chance(0.1) ? ['in_person'] : chance(0.05) ? ['phone'] : ['video', ...some(MEETING_MODES)],
    region: chance(0.8) ? pick(['north', 'south']) : undefined,
    timeZone: pick(['Europe/Madrid', 'America/New_York', 'Asia/Kolkata', 'UTC']),
    availability: Array.from({ length: Math.floor(random() * 3) }, () => {
      const start = Math.floor(random() * 90);
      return { day: Math.floor(random() * 7), startMinute: start * 15, endMinute: Math.min(96, start + 1 + Math.floor(random() * 12)) * 15 };
    }),
    gender: chance(0.9) ? pick(['woman', 'man', 'nonbinary']) : undefined,
    ageBand: chance(0.9) ? pick(AGE_BANDS) : undefined,
  });
  const peers = Array.from({ length: peerCount }, (_, i): PeerProfile => {
    const capacity = pick([0, 1, 1, 2, 2, 2]);
    return {
      id: `p${i}`,
      active: chance(0.93),
      consented: chance(0.93),
      capacity,
      currentLoad: chance(0.1) ? capacity : chance(0.2) ? 1 : 0,
      pauses: chance(0.08) ? [pause(random() * 10 - 5)] : undefined,
      recoveryStartedAt: daysAgo(chance(0.1) ? random() * 500 : 400 + random() * 5000),
      ...person(),
    };
  });
  const newcomers = Array.from({ length: newcomerCount }, (_, i): NewcomerProfile => ({
    id: `n${i}`,
    recoveryStartedAt: chance(0.5) ? daysAgo(random() * 700) : undefined,
    riskLevel: chance(0.08) ? 'imminent' : pick(['none', 'low', 'moderate', 'high']),
    waitingSince: daysAgo(random() * 30),
    preferences: chance(0.3)
      ? {
          peerGender: chance(0.5) ? { values: some(['woman', 'man', 'nonbinary']), mustHave: chance(0.3) } : undefined,
          peerAgeBand: chance(0.5) ? { values: some(AGE_BANDS), mustHave: chance(0.2) } : undefined,
        }
      : undefined,
    ...person(),
  }));
  const declined = peers.filter(() => chance(0.05)).map((p) => ({ newcomerId: pick(newcomers).id, peerId: p.id }));
  return { newcomers, peers, declined };
}

const populationArb = (maxNewcomers: number, maxPeers: number): fc.Arbitrary<Population> =>
  fc
    .record({
      seed: fc.integer(),
      n: fc.integer({ min: Math.ceil(maxNewcomers / 2), max: maxNewcomers }),
      p: fc.integer({ min: Math.ceil(maxPeers / 2), max: maxPeers }),
    })
    .map(({ seed, n, p }) => randomPopulation(seed, n, p));

const ctx = (pop: Population, extra: Partial<MatchContext> = {}): MatchContext => ({ now: NOW, declinedPairs: pop.declined, ...extra });

/** Exhaustive optimum: every newcomer takes one feasible peer or none, within free capacities. */
function bruteForce(pop: Population): number {
  const options = pop.newcomers.map((n) => rankCandidates(n, pop.peers, ctx(pop), { limit: 1000, includeSkipped: false }).candidates);
  const free = new Map(pop.peers.map((p) => [p.id, Math.max(0, p.capacity - p.currentLoad)]));
  let best = 0;
  const visit = (i: number, sum: number): void => {
    if (i === options.length) {
      best = Math.max(best, sum);
      return;
    }
    visit(i + 1, sum);
    for (const c of options[i]!) {
      const left = free.get(c.peerId)!;
      if (left === 0) continue;
      free.set(c.peerId, left - 1);
      visit(i + 1, sum + Math.round(c.score * 1e6));
      free.set(c.peerId, left);
    }
  };
  visit(0, 0);
  return best;
}

const micros = (x: number): number => Math.round(x * 1e6);

describe('properties over random populations', () => {
  it('no proposal from rankCandidates ever breaks a hard rule, and every skipped peer breaks one', () => {
    fc.assert(
      fc.property(populationArb(3, 12), (pop) => {
        for (const n of pop.newcomers) {
          const ranked = rankCandidates(n, pop.peers, ctx(pop), { limit: 100 });
          for (const c of ranked.candidates) {
            expect(breaksHardRule(n, pop.peers.find((p) => p.id === c.peerId)!, NOW, pop.declined, DEFAULT_ENGINE_CONFIG.minRecoveryGapMonths)).toBeNull();
          }
          if (ranked.blocked === null) {
            for (const s of ranked.skipped) {
              expect(breaksHardRule(n, pop.peers.find((p) => p.id === s.peerId)!, NOW, pop.declined, DEFAULT_ENGINE_CONFIG.minRecoveryGapMonths)).not.toBeNull();
            }
            expect(ranked.candidates.length + ranked.skipped.length).toBe(pop.peers.length);
          } else {
            expect(n.riskLevel).toBe('imminent');
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('no assignment breaks a hard rule or pushes a peer over capacity, in either mode', () => {
    fc.assert(
      fc.property(populationArb(8, 10), fc.constantFrom('optimal' as const, 'greedy' as const), (pop, mode) => {
        const result = assignBatch(pop.newcomers, pop.peers, ctx(pop), { mode });
        const given = new Map<string, number>();
        for (const a of result.assignments) {
          const n = pop.newcomers.find((x) => x.id === a.newcomerId)!;
          const p = pop.peers.find((x) => x.id === a.peerId)!;
          expect(breaksHardRule(n, p, NOW, pop.declined, DEFAULT_ENGINE_CONFIG.minRecoveryGapMonths)).toBeNull();
          given.set(p.id, (given.get(p.id) ?? 0) + 1);
        }
        for (const p of pop.peers) expect(p.currentLoad + (given.get(p.id) ?? 0)).toBeLessThanOrEqual(Math.max(p.capacity, p.currentLoad));
        for (const p of pop.peers) if (p.currentLoad >= p.capacity) expect(given.get(p.id) ?? 0).toBe(0);
        expect(result.assignments.length + result.unassigned.length).toBe(pop.newcomers.length);
      }),
      { numRuns: 200 },
    );
  });

  it('the optimal assignment equals a brute-force optimum on small instances and is never below greedy', () => {
    fc.assert(
      fc.property(populationArb(6, 5), (pop) => {
        const optimal = assignBatch(pop.newcomers, pop.peers, ctx(pop), { mode: 'optimal' });
        const greedy = assignBatch(pop.newcomers, pop.peers, ctx(pop), { mode: 'greedy' });
        expect(optimal.optimality.exact).toBe(true);
        expect(micros(optimal.totalScore)).toBe(bruteForce(pop));
        expect(micros(optimal.totalScore)).toBeGreaterThanOrEqual(micros(greedy.totalScore));
      }),
      { numRuns: 300 },
    );
  });

  it('with pruned candidate lists, a result marked exact is the true optimum, and never exceeds it', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, candidateLimit: 1, candidateReserve: 2 };
    fc.assert(
      fc.property(populationArb(6, 5), (pop) => {
        const result = assignBatch(pop.newcomers, pop.peers, ctx(pop, { config }), { mode: 'optimal' });
        const best = bruteForce(pop);
        if (result.optimality.exact) expect(micros(result.totalScore)).toBe(best);
        else expect(micros(result.totalScore)).toBeLessThanOrEqual(best);
      }),
      { numRuns: 300 },
    );
  });

  it('results are deterministic and do not depend on input order', () => {
    fc.assert(
      fc.property(populationArb(8, 10), fc.integer(), (pop, seed) => {
        const shuffle = <T>(items: T[]): T[] => {
          const out = [...items];
          let s = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const first = assignBatch(pop.newcomers, pop.peers, ctx(pop));
        expect(assignBatch(pop.newcomers, pop.peers, ctx(pop))).toEqual(first);
        expect(assignBatch(shuffle(pop.newcomers), shuffle(pop.peers), ctx(pop))).toEqual(first);
        const n = pop.newcomers[0]!;
        expect(rankCandidates(n, shuffle(pop.peers), ctx(pop))).toEqual(rankCandidates(n, pop.peers, ctx(pop)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('solver properties on random graphs (ties and capacities included)', () => {
  const graphArb = fc
    .record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 5 }) })
    .chain(({ rows, cols }) =>
      fc.record({
        capacity: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: cols, maxLength: cols }),
        edges: fc.array(fc.array(fc.option(fc.integer({ min: -3, max: 12 }), { nil: undefined }), { minLength: cols, maxLength: cols }), {
          minLength: rows,
          maxLength: rows,
        }),
      }),
    )
    .map(({ capacity, edges }): AssignmentGraph => {
      const rowStart = [0];
      const edgeCol: number[] = [];
      const edgeWeight: number[] = [];
      for (const row of edges) {
        row.forEach((w, c) => {
          if (w !== undefined) {
            edgeCol.push(c);
            edgeWeight.push(w);
          }
        });
        rowStart.push(edgeCol.length);
      }
      return {
        rowCount: edges.length,
        colCount: capacity.length,
        colCapacity: Int32Array.from(capacity),
        rowStart: Int32Array.from(rowStart),
        edgeCol: Int32Array.from(edgeCol),
        edgeWeight: Float64Array.from(edgeWeight),
      };
    });

  function brute(g: AssignmentGraph): number {
    const left = Array.from(g.colCapacity);
    let best = 0;
    const visit = (r: number, sum: number): void => {
      if (r === g.rowCount) {
        best = Math.max(best, sum);
        return;
      }
      visit(r + 1, sum);
      for (let e = g.rowStart[r]!; e < g.rowStart[r + 1]!; e++) {
        const c = g.edgeCol[e]!;
        if (left[c]! === 0) continue;
        left[c]!--;
        visit(r + 1, sum + g.edgeWeight[e]!);
        left[c]!++;
      }
    };
    visit(0, 0);
    return best;
  }

  it('solveOptimal reaches the brute-force optimum, respects capacities, and beats or equals greedy', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const solution = solveOptimal(g);
        expect(solution.total).toBe(brute(g));
        const used = new Array<number>(g.colCount).fill(0);
        let total = 0;
        solution.colOfRow.forEach((c, r) => {
          if (c < 0) return;
          used[c]!++;
          let w: number | undefined;
          for (let e = g.rowStart[r]!; e < g.rowStart[r + 1]!; e++) if (g.edgeCol[e] === c) w = g.edgeWeight[e];
          expect(w).toBeDefined();
          total += w!;
        });
        expect(total).toBe(solution.total);
        used.forEach((u, c) => expect(u).toBeLessThanOrEqual(g.colCapacity[c]!));
        expect(solution.total).toBeGreaterThanOrEqual(solveGreedy(g).total);
      }),
      { numRuns: 1000 },
    );
  });
});
