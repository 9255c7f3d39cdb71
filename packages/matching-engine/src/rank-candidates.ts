import type { EngineStamp, MatchContext } from './match-context.js';
import { resolveContext } from './match-context.js';
import { explainFactors, type FactorContribution } from './explanation.js';
import { FACTOR_COUNT, PAIR_RULES, pairRuleFailures, scorePair, toMicros } from './pair-evaluation.js';
import { encodeNewcomer, type PreparedPeers } from './population.js';
import type { Locale, NewcomerProfile, PeerProfile } from './profiles.types.js';
import { reason, type Reason } from './reasons.js';

export interface RankedCandidate {
  readonly peerId: string;
  /** Σ weight × factor value, rounded to 6 decimals. */
  readonly score: number;
  readonly factors: readonly FactorContribution[];
}

export interface SkippedCandidate {
  readonly peerId: string;
  /** Every hard rule the pair breaks, in a fixed order. */
  readonly reasons: readonly Reason[];
}

export interface RankResult extends EngineStamp {
  readonly newcomerId: string;
  /** Set when the newcomer must not be matched at all (imminent risk); then there are no candidates. */
  readonly blocked: Reason | null;
  /** Best first (score, then peer id), at most `limit`. */
  readonly candidates: readonly RankedCandidate[];
  /** How many peers passed every hard rule (may exceed candidates.length). */
  readonly feasibleCount: number;
  /** In peer id order; empty when `includeSkipped` is false. */
  readonly skipped: readonly SkippedCandidate[];
}

export interface RankOptions {
  /** Defaults to config.rankLimit. */
  readonly limit?: number | undefined;
  /** Defaults to true. */
  readonly includeSkipped?: boolean | undefined;
}

/** Reason lists are shared per failure mask, so skipping many peers for the same reasons allocates one list. */
function reasonsFor(mask: number, locale: Locale, cache: Map<number, readonly Reason[]>): readonly Reason[] {
  let list = cache.get(mask);
  if (list === undefined) {
    const built: Reason[] = [];
    for (let bit = 0; bit < PAIR_RULES.length; bit++) if (mask & (1 << bit)) built.push(reason(PAIR_RULES[bit]!, locale));
    list = Object.freeze(built);
    cache.set(mask, list);
  }
  return list;
}

/** All feasible peers for one newcomer, best first, with every factor explained; and why the others were skipped. */
export function rankCandidates(
  newcomer: NewcomerProfile,
  peers: readonly PeerProfile[] | PreparedPeers,
  context: MatchContext,
  options: RankOptions = {},
): RankResult {
  const ctx = resolveContext(peers, context);
  const { config, nowMs, locale, minGapMs, stamp } = ctx;
  const pool = ctx.peers;
  const n = encodeNewcomer(newcomer, pool, config, nowMs);
  const limit = options.limit ?? config.rankLimit;
  const includeSkipped = options.includeSkipped ?? true;
  if (n.urgent) {
    return { ...stamp, newcomerId: n.id, blocked: reason('MATCH.NEWCOMER_URGENT', locale), candidates: [], feasibleCount: 0, skipped: [] };
  }
  const declined = ctx.declined.get(n.id);
  const scratch = new Float64Array(FACTOR_COUNT);
  const feasiblePeer = new Int32Array(pool.count);
  const feasibleScore = new Float64Array(pool.count);
  let feasibleCount = 0;
  const skipped: SkippedCandidate[] = [];
  const cache = new Map<number, readonly Reason[]>();
  for (let p = 0; p < pool.count; p++) {
    const failures = pairRuleFailures(n, pool, p, nowMs, minGapMs, declined);
    if (failures !== 0) {
      if (includeSkipped) skipped.push({ peerId: pool.ids[p]!, reasons: reasonsFor(failures, locale, cache) });
      continue;
    }
    feasiblePeer[feasibleCount] = p;
    feasibleScore[feasibleCount++] = toMicros(scorePair(n, pool, p, nowMs, config, scratch));
  }
  const order = Array.from({ length: feasibleCount }, (_, i) => i);
  order.sort((a, b) => feasibleScore[b]! - feasibleScore[a]! || feasiblePeer[a]! - feasiblePeer[b]!);
  const candidates: RankedCandidate[] = [];
  for (const i of order.slice(0, Math.max(0, limit))) {
    const p = feasiblePeer[i]!;
    scorePair(n, pool, p, nowMs, config, scratch);
    candidates.push({ peerId: pool.ids[p]!, score: feasibleScore[i]! / 1e6, factors: explainFactors(n, pool, p, scratch, nowMs, config, locale) });
  }
  return { ...stamp, newcomerId: n.id, blocked: null, candidates, feasibleCount, skipped };
}
