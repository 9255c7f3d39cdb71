import { resolveContext, type EngineStamp, type MatchContext } from './match-context.js';
import { FACTOR_COUNT, pairRuleFailures, scorePair, toMicros } from './pair-evaluation.js';
import { checkNewcomers, encodeNewcomer, type PreparedPeers } from './population.js';
import type { NewcomerProfile, PeerProfile } from './profiles.types.js';

export interface ScoreMatrix extends EngineStamp {
  /** Row order (sorted ids). */
  readonly newcomerIds: readonly string[];
  /** Column order (sorted ids). */
  readonly peerIds: readonly string[];
  /** Row-major micro-point scores; NaN where a hard rule is broken (urgent newcomers' rows are all NaN). */
  readonly micros: Float64Array;
}

/** Every pair's score without explanations: for analysis and for checking the solver against other solvers. */
export function scoreMatrix(newcomers: readonly NewcomerProfile[], peers: readonly PeerProfile[] | PreparedPeers, context: MatchContext): ScoreMatrix {
  const ctx = resolveContext(peers, context);
  const pool = ctx.peers;
  const sorted = checkNewcomers(newcomers);
  const micros = new Float64Array(sorted.length * pool.count).fill(Number.NaN);
  const scratch = new Float64Array(FACTOR_COUNT);
  sorted.forEach((profile, r) => {
    const n = encodeNewcomer(profile, pool, ctx.config, ctx.nowMs);
    if (n.urgent) return;
    const declined = ctx.declined.get(n.id);
    for (let p = 0; p < pool.count; p++) {
      if (pairRuleFailures(n, pool, p, ctx.nowMs, ctx.minGapMs, declined) !== 0) continue;
      micros[r * pool.count + p] = toMicros(scorePair(n, pool, p, ctx.nowMs, ctx.config, scratch));
    }
  });
  return { ...ctx.stamp, newcomerIds: sorted.map((n) => n.id), peerIds: pool.ids, micros };
}
