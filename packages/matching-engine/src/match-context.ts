import { DEFAULT_ENGINE_CONFIG, ENGINE_VERSION, validateEngineConfig, type EngineConfig } from './engine-config.js';
import { EngineInputError } from './engine-error.js';
import { MS_PER_MONTH } from './pair-evaluation.js';
import { preparePeers, type PreparedPeers } from './population.js';
import type { DeclinedPair, Locale, PeerProfile } from './profiles.types.js';

export interface MatchContext {
  readonly now: Date;
  /** Pairs a coordinator declined before; they are never proposed again. */
  readonly declinedPairs?: readonly DeclinedPair[] | undefined;
  /** Defaults to DEFAULT_ENGINE_CONFIG. */
  readonly config?: EngineConfig | undefined;
  /** Language of every sentence; defaults to English. */
  readonly locale?: Locale | undefined;
  /** The instant whose UTC offsets convert weekly windows (DST); defaults to the prepared peers' instant, else `now`. */
  readonly referenceInstant?: Date | undefined;
}

/** Recorded on every result, so that a decision can be traced to the code and the weights that made it. */
export interface EngineStamp {
  readonly engineVersion: string;
  readonly configVersion: string;
}

export interface ResolvedContext {
  readonly config: EngineConfig;
  readonly nowMs: number;
  readonly minGapMs: number;
  readonly locale: Locale;
  readonly peers: PreparedPeers;
  readonly declined: ReadonlyMap<string, ReadonlySet<number>>;
  readonly stamp: EngineStamp;
}

/** Array.isArray without narrowing a typed array to any[]. */
const isArray = (value: unknown): boolean => Array.isArray(value);

function isPrepared(peers: readonly PeerProfile[] | PreparedPeers): peers is PreparedPeers {
  return !Array.isArray(peers) && (peers as PreparedPeers).kind === 'prepared-peers';
}

export function resolveContext(peersInput: readonly PeerProfile[] | PreparedPeers, context: MatchContext): ResolvedContext {
  if (typeof context !== 'object' || context === null) throw new EngineInputError('MATCH.INVALID_INPUT', 'context must be an object');
  if (!(context.now instanceof Date) || Number.isNaN(context.now.getTime())) {
    throw new EngineInputError('MATCH.INVALID_INPUT', 'context.now must be a valid Date');
  }
  const config = validateEngineConfig(context.config ?? DEFAULT_ENGINE_CONFIG);
  const locale = context.locale ?? 'en';
  if (locale !== 'en' && locale !== 'es') throw new EngineInputError('MATCH.INVALID_INPUT', 'context.locale must be "en" or "es"');
  let peers: PreparedPeers;
  if (isPrepared(peersInput)) {
    const wanted = context.referenceInstant?.getTime();
    if (wanted !== undefined && wanted !== peersInput.referenceInstantMs) {
      throw new EngineInputError('MATCH.INVALID_INPUT', 'context.referenceInstant differs from the one the peers were prepared for');
    }
    peers = peersInput;
  } else {
    peers = preparePeers(peersInput, context.referenceInstant ?? context.now);
  }
  const declined = new Map<string, Set<number>>();
  if (context.declinedPairs !== undefined) {
    const pairs: readonly DeclinedPair[] = context.declinedPairs;
    if (!isArray(pairs)) throw new EngineInputError('MATCH.INVALID_INPUT', 'context.declinedPairs must be an array');
    for (const [i, pair] of pairs.entries()) {
      if (typeof pair?.newcomerId !== 'string' || typeof pair.peerId !== 'string') {
        throw new EngineInputError('MATCH.INVALID_INPUT', `context.declinedPairs[${i}] must have string newcomerId and peerId`);
      }
      const p = peers.indexById.get(pair.peerId);
      if (p === undefined) continue;
      let set = declined.get(pair.newcomerId);
      if (set === undefined) declined.set(pair.newcomerId, (set = new Set()));
      set.add(p);
    }
  }
  return {
    config,
    nowMs: context.now.getTime(),
    minGapMs: config.minRecoveryGapMonths * MS_PER_MONTH,
    locale,
    peers,
    declined,
    stamp: { engineVersion: ENGINE_VERSION, configVersion: config.version },
  };
}
