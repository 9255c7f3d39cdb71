import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENGINE_CONFIG,
  ENGINE_VERSION,
  FACTOR_NAMES,
  rankCandidates,
  type FactorName,
  type NewcomerProfile,
  type PeerProfile,
} from '@kindred/matching-engine';
import { DAY, NOW, aNewcomer, aPeer, context, yearsBefore } from './profiles.fixture.js';

function only(newcomer: NewcomerProfile, peer: PeerProfile, extra: Parameters<typeof context>[0] = {}) {
  const candidate = rankCandidates(newcomer, [peer], context(extra)).candidates[0];
  if (candidate === undefined) throw new Error('expected the peer to be proposed');
  return candidate;
}

function factor(newcomer: NewcomerProfile, peer: PeerProfile, name: FactorName, extra: Parameters<typeof context>[0] = {}) {
  const found = only(newcomer, peer, extra).factors.find((f) => f.factor === name);
  if (found === undefined) throw new Error(`no factor ${name}`);
  return found;
}

const JANUARY = new Date('2025-01-15T12:00:00Z');
const JULY = new Date('2025-07-15T12:00:00Z');

describe('the score explains itself', () => {
  it('every factor is returned with its weight, value, contribution and a sentence; the score is their sum', () => {
    const candidate = only(aNewcomer(), aPeer());
    expect(candidate.factors.map((f) => f.factor)).toEqual([...FACTOR_NAMES]);
    for (const f of candidate.factors) {
      expect(f.weight).toBe(DEFAULT_ENGINE_CONFIG.weights[f.factor]);
      expect(f.value).toBeGreaterThanOrEqual(0);
      expect(f.value).toBeLessThanOrEqual(1);
      expect(f.contribution).toBeCloseTo(f.weight * f.value, 6);
      expect(f.sentence).toMatch(/\.$/);
    }
    const sum = candidate.factors.reduce((s, f) => s + f.contribution, 0);
    expect(candidate.score).toBeCloseTo(sum, 5);
  });

  it('every result records the engine version and the weights version', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, version: 'weights-test-7' };
    const ranked = rankCandidates(aNewcomer(), [aPeer()], context({ config }));
    expect(ranked.engineVersion).toBe(ENGINE_VERSION);
    expect(ranked.configVersion).toBe('weights-test-7');
  });
});

describe('shared experience', () => {
  it('names the shared topics: "Both have lived experience of grief and anxiety"', () => {
    const f = factor(aNewcomer({ topics: ['grief', 'anxiety', 'trauma'] }), aPeer({ topics: ['grief', 'anxiety'] }), 'sharedExperience');
    expect(f.sentence).toBe('Both have lived experience of anxiety and grief.');
    expect(f.value).toBeCloseTo(2 / 3, 6);
  });

  it('weighs the overlap by topic weights from the configuration', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, topicWeights: { grief: 3 } };
    const f = factor(aNewcomer({ topics: ['grief', 'anxiety'] }), aPeer({ topics: ['grief'] }), 'sharedExperience', { config });
    expect(f.value).toBeCloseTo(3 / 4, 6);
  });

  it('more shared experience ranks a peer higher', () => {
    const ranked = rankCandidates(aNewcomer(), [aPeer({ id: 'a', topics: ['grief'] }), aPeer({ id: 'b', topics: ['grief', 'anxiety'] })], context());
    expect(ranked.candidates.map((c) => c.peerId)).toEqual(['b', 'a']);
  });
});

describe('recovery gap', () => {
  it('says how much further along the peer is: "Peer is 3 years further along in recovery"', () => {
    const f = factor(aNewcomer(), aPeer({ recoveryStartedAt: yearsBefore(NOW, 3) }), 'recoveryGap');
    expect(f.sentence).toBe('Peer is 3 years further along in recovery.');
    expect(f.value).toBe(1);
  });

  it('is full inside the ideal range and falls off outside it', () => {
    const inside = factor(aNewcomer(), aPeer({ recoveryStartedAt: yearsBefore(NOW, 5) }), 'recoveryGap').value;
    const short = factor(aNewcomer(), aPeer({ recoveryStartedAt: yearsBefore(NOW, 1.5) }), 'recoveryGap').value;
    const long = factor(aNewcomer(), aPeer({ recoveryStartedAt: yearsBefore(NOW, 14) }), 'recoveryGap').value;
    expect(inside).toBe(1);
    expect(short).toBeLessThan(1);
    expect(short).toBeGreaterThan(0);
    expect(long).toBeLessThan(1);
  });
});

describe('availability overlap', () => {
  it('counts shared hours per week across time zones', () => {
    // New York Monday 18:00–21:00 (UTC−5 in January) is Monday 23:00 to Tuesday 02:00 in London.
    const newcomer = aNewcomer({ timeZone: 'America/New_York', availability: [{ day: 0, startMinute: 18 * 60, endMinute: 21 * 60 }] });
    const peer = aPeer({
      timeZone: 'Europe/London',
      availability: [
        { day: 0, startMinute: 23 * 60, endMinute: 24 * 60 },
        { day: 1, startMinute: 0, endMinute: 60 },
      ],
    });
    const f = factor(newcomer, peer, 'availability', { referenceInstant: JANUARY });
    expect(f.sentence).toBe('Their weekly availability overlaps by 2 hours.');
    expect(f.value).toBeCloseTo(2 / DEFAULT_ENGINE_CONFIG.availabilityTargetHours, 6);
  });

  it('uses the UTC offsets at the reference instant, so daylight saving time moves the overlap', () => {
    const newcomer = aNewcomer({ timeZone: 'America/New_York', availability: [{ day: 0, startMinute: 12 * 60, endMinute: 14 * 60 }] });
    const peer = aPeer({ timeZone: 'UTC', availability: [{ day: 0, startMinute: 18 * 60, endMinute: 19 * 60 }] });
    // January: 12–14 in New York is 17–19 UTC (1 hour shared). July (UTC−4): 16–18 UTC (nothing shared).
    expect(factor(newcomer, peer, 'availability', { referenceInstant: JANUARY }).value).toBeGreaterThan(0);
    const july = factor(newcomer, peer, 'availability', { referenceInstant: JULY });
    expect(july.value).toBe(0);
    expect(july.sentence).toBe('Their weekly availability does not overlap yet.');
  });

  it('a window that wraps past the end of the week in UTC still counts', () => {
    const newcomer = aNewcomer({ timeZone: 'America/Los_Angeles', availability: [{ day: 6, startMinute: 16 * 60, endMinute: 17 * 60 }] });
    const peer = aPeer({ timeZone: 'Asia/Tokyo', availability: [{ day: 0, startMinute: 9 * 60, endMinute: 10 * 60 }] });
    // Sunday 16:00 in Los Angeles (UTC−8) = Monday 00:00 UTC = Monday 09:00 in Tokyo.
    expect(factor(newcomer, peer, 'availability', { referenceInstant: JANUARY }).sentence).toBe('Their weekly availability overlaps by 1 hour.');
  });
});

describe('time-zone distance', () => {
  it('is full in the same zone and smaller further apart', () => {
    const same = factor(aNewcomer(), aPeer(), 'timeZone', { referenceInstant: JANUARY });
    expect(same.value).toBe(1);
    expect(same.sentence).toBe('They are in the same time zone.');
    const apart = factor(aNewcomer({ timeZone: 'Europe/London' }), aPeer({ timeZone: 'America/Halifax' }), 'timeZone', { referenceInstant: JANUARY });
    expect(apart.sentence).toBe('Their time zones are 4 hours apart.');
    expect(apart.value).toBeCloseTo(1 - 4 / DEFAULT_ENGINE_CONFIG.timeZoneMaxHours, 6);
  });

  it('measures around the clock: UTC+12 and UTC−11 are one hour apart', () => {
    const f = factor(aNewcomer({ timeZone: 'Etc/GMT-12' }), aPeer({ timeZone: 'Etc/GMT+11' }), 'timeZone');
    expect(f.sentence).toBe('Their time zones are 1 hour apart.');
  });
});

describe('nice-to-have preferences', () => {
  it('a peer of the preferred gender ranks above one who is not, when the preference is not a must-have', () => {
    const newcomer = aNewcomer({ preferences: { peerGender: { values: ['man'], mustHave: false } } });
    const ranked = rankCandidates(newcomer, [aPeer({ id: 'a', gender: 'woman' }), aPeer({ id: 'b', gender: 'man' })], context());
    expect(ranked.candidates.map((c) => c.peerId)).toEqual(['b', 'a']);
    expect(ranked.candidates[0]?.factors.find((f) => f.factor === 'preferences')?.sentence).toMatch(/^The peer is of the preferred gender/);
  });

  it('closer age bands score higher', () => {
    const newcomer = aNewcomer({ ageBand: '25-34' });
    const ranked = rankCandidates(newcomer, [aPeer({ id: 'far', ageBand: '65+' }), aPeer({ id: 'near', ageBand: '25-34' })], context());
    expect(ranked.candidates.map((c) => c.peerId)).toEqual(['near', 'far']);
    expect(ranked.candidates[0]?.factors.find((f) => f.factor === 'preferences')?.sentence).toBe('They are close in age.');
  });
});

describe('load and waiting time', () => {
  it('spreads the work: a less busy peer ranks above a busier one', () => {
    const ranked = rankCandidates(aNewcomer(), [aPeer({ id: 'busy', currentLoad: 2 }), aPeer({ id: 'free', currentLoad: 0 })], context());
    expect(ranked.candidates.map((c) => c.peerId)).toEqual(['free', 'busy']);
    expect(ranked.candidates[1]?.factors.find((f) => f.factor === 'load')?.sentence).toBe('Peer is supporting 2 of 3 people right now.');
  });

  it('the waiting bonus grows with the wait and is full after the configured days', () => {
    const fresh = factor(aNewcomer({ waitingSince: NOW }), aPeer(), 'waiting');
    const week = factor(aNewcomer({ waitingSince: new Date(NOW.getTime() - 7 * DAY) }), aPeer(), 'waiting');
    const month = factor(aNewcomer({ waitingSince: new Date(NOW.getTime() - 30 * DAY) }), aPeer(), 'waiting');
    expect(fresh.value).toBe(0);
    expect(fresh.sentence).toBe('Newcomer started waiting today.');
    expect(week.value).toBeCloseTo(0.5, 6);
    expect(week.sentence).toBe('Newcomer has waited 7 days.');
    expect(month.value).toBe(1);
  });
});

describe('sentences in Spanish', () => {
  it('explains every factor in Spanish when the locale is es', () => {
    const candidate = only(aNewcomer(), aPeer(), { locale: 'es' });
    const sentence = (name: FactorName) => candidate.factors.find((f) => f.factor === name)?.sentence;
    expect(sentence('sharedExperience')).toBe('Ambas personas tienen experiencia vivida de ansiedad y duelo.');
    expect(sentence('recoveryGap')).toBe('La persona de apoyo lleva 3 años más de camino en su recuperación.');
    expect(sentence('waiting')).toBe('La persona recién llegada lleva 3 días esperando.');
    expect(sentence('timeZone')).toBe('Están en la misma zona horaria.');
  });
});
