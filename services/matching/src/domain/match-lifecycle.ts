import { AppError } from '@kindred/platform';

/** A match's lifecycle (DESIGN.md). Declined, closed and rematch_requested are final for that match document. */
export const MATCH_STATES = [
  'proposed',
  'approved',
  'introduced',
  'active',
  'closed',
  'declined',
  'needs_attention',
  'rematch_requested',
] as const;
export type MatchState = (typeof MATCH_STATES)[number];

const TRANSITIONS: Readonly<Record<MatchState, readonly MatchState[]>> = {
  proposed: ['approved', 'declined'],
  approved: ['introduced', 'needs_attention', 'closed'],
  introduced: ['active', 'rematch_requested', 'closed'],
  active: ['rematch_requested', 'closed'],
  // A later delivery can still succeed (another channel); a coordinator can also close it.
  needs_attention: ['introduced', 'closed'],
  closed: [],
  declined: [],
  rematch_requested: [],
};

/** States in which the match holds one of the peer's capacity slots. A proposal reserves a slot too, so that
 * two proposals can never promise the same last slot. */
const HOLDS_CAPACITY: ReadonlySet<MatchState> = new Set(['proposed', 'approved', 'introduced', 'active', 'needs_attention']);

export function canTransition(from: MatchState, to: MatchState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws MATCH.INVALID_TRANSITION (permanent) when the lifecycle does not allow the move. */
export function assertTransition(from: MatchState, to: MatchState): void {
  if (!canTransition(from, to)) {
    throw new AppError('MATCH.INVALID_TRANSITION', `MATCH.INVALID_TRANSITION: a ${from} match cannot become ${to}`, {
      details: { from, to },
    });
  }
}

export function holdsCapacity(state: MatchState): boolean {
  return HOLDS_CAPACITY.has(state);
}

export function isFinal(state: MatchState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** After these, the newcomer needs a new proposal. */
export function returnsNewcomerToMatching(state: MatchState): boolean {
  return state === 'declined' || state === 'rematch_requested';
}

export function isMatchState(value: string): value is MatchState {
  return (MATCH_STATES as readonly string[]).includes(value);
}

/**
 * What a delivery outcome does to a match. First delivered introduction (any recipient, any channel) →
 * introduced; a permanent failure while still approved → needs_attention; anything else only updates the
 * per-delivery status. A permanent failure after another introduction was delivered does not move the match back.
 */
export function stateAfterDelivery(state: MatchState, outcome: 'delivered' | 'failed_permanent' | 'failed_transient'): MatchState | undefined {
  if (outcome === 'delivered') return state === 'approved' || state === 'needs_attention' ? 'introduced' : undefined;
  if (outcome === 'failed_permanent') return state === 'approved' ? 'needs_attention' : undefined;
  return undefined;
}
