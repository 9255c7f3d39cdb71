import { describe, expect, it } from 'vitest';
import { isAppError } from '@kindred/platform';
import {
  MATCH_STATES,
  assertTransition,
  canTransition,
  holdsCapacity,
  isFinal,
  stateAfterDelivery,
  type MatchState,
} from '../../src/domain/match-lifecycle.js';

const ALLOWED: ReadonlyArray<[MatchState, MatchState]> = [
  ['proposed', 'approved'],
  ['proposed', 'declined'],
  ['approved', 'introduced'],
  ['approved', 'needs_attention'],
  ['approved', 'closed'],
  ['introduced', 'active'],
  ['introduced', 'rematch_requested'],
  ['introduced', 'closed'],
  ['active', 'rematch_requested'],
  ['active', 'closed'],
  ['needs_attention', 'introduced'],
  ['needs_attention', 'closed'],
];

describe('the match lifecycle', () => {
  it('allows exactly the documented moves', () => {
    for (const from of MATCH_STATES) {
      for (const to of MATCH_STATES) {
        const expected = ALLOWED.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('refuses an illegal move with MATCH.INVALID_TRANSITION, a permanent error naming both states', () => {
    let thrown: unknown;
    try {
      assertTransition('declined', 'approved');
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown)).toBe(true);
    if (!isAppError(thrown)) return;
    expect(thrown.code).toBe('MATCH.INVALID_TRANSITION');
    expect(thrown.retriable).toBe(false);
    expect(thrown.message).toContain('declined');
    expect(thrown.message).toContain('approved');
    expect(() => assertTransition('proposed', 'approved')).not.toThrow();
  });

  it('treats declined, closed and rematch_requested as final, and only open matches hold a slot', () => {
    expect(MATCH_STATES.filter(isFinal).sort()).toEqual(['closed', 'declined', 'rematch_requested']);
    expect(MATCH_STATES.filter(holdsCapacity).sort()).toEqual(['active', 'approved', 'introduced', 'needs_attention', 'proposed']);
  });

  it('moves on delivery outcomes: first delivery introduces, a permanent failure while approved needs attention', () => {
    expect(stateAfterDelivery('approved', 'delivered')).toBe('introduced');
    expect(stateAfterDelivery('needs_attention', 'delivered')).toBe('introduced');
    expect(stateAfterDelivery('introduced', 'delivered')).toBeUndefined();
    expect(stateAfterDelivery('approved', 'failed_permanent')).toBe('needs_attention');
    expect(stateAfterDelivery('introduced', 'failed_permanent')).toBeUndefined();
    expect(stateAfterDelivery('approved', 'failed_transient')).toBeUndefined();
    for (const state of MATCH_STATES) {
      const next = stateAfterDelivery(state, 'delivered') ?? stateAfterDelivery(state, 'failed_permanent');
      if (next !== undefined) expect(canTransition(state, next)).toBe(true);
    }
  });
});
