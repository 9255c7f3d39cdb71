import { describe, expect, it } from 'vitest';
import { assignBatch, rankCandidates, type ReasonCode } from '@kindred/matching-engine';
import { DAY, NOW, aNewcomer, aPeer, context, monthsBefore, yearsBefore } from './profiles.fixture.js';

function skippedCodes(result: ReturnType<typeof rankCandidates>, peerId: string): ReasonCode[] {
  return result.skipped.find((s) => s.peerId === peerId)?.reasons.map((r) => r.code) ?? [];
}

function expectNeverProposed(peer: ReturnType<typeof aPeer>, code: ReasonCode, newcomer = aNewcomer()): void {
  const ranked = rankCandidates(newcomer, [peer], context());
  expect(ranked.candidates).toEqual([]);
  expect(skippedCodes(ranked, peer.id)).toContain(code);
  const batch = assignBatch([newcomer], [peer], context());
  expect(batch.assignments).toEqual([]);
  expect(batch.unassigned.map((u) => [u.newcomerId, u.reason.code])).toEqual([[newcomer.id, 'MATCH.NO_FEASIBLE_PEER']]);
}

describe('hard rules: a pair that breaks one is never proposed', () => {
  it('when everything fits, the peer is proposed', () => {
    const ranked = rankCandidates(aNewcomer(), [aPeer()], context());
    expect(ranked.candidates.map((c) => c.peerId)).toEqual(['peer-1']);
    expect(ranked.skipped).toEqual([]);
  });

  it('when a peer is at capacity, they are never proposed', () => {
    expectNeverProposed(aPeer({ capacity: 2, currentLoad: 2 }), 'MATCH.PEER_AT_CAPACITY');
  });

  it('when a peer is inactive, they are never proposed', () => {
    expectNeverProposed(aPeer({ active: false }), 'MATCH.PEER_INACTIVE');
  });

  it('when a peer has not consented, they are never proposed', () => {
    expectNeverProposed(aPeer({ consented: false }), 'MATCH.PEER_NOT_CONSENTED');
  });

  it('when a peer is paused at `now`, they are never proposed; a pause that ended or has not started does not block', () => {
    expectNeverProposed(aPeer({ pauses: [{ from: new Date(NOW.getTime() - DAY) }] }), 'MATCH.PEER_PAUSED');
    const ended = aPeer({ id: 'ended', pauses: [{ from: new Date(NOW.getTime() - 9 * DAY), until: new Date(NOW.getTime() - DAY) }] });
    const future = aPeer({ id: 'future', pauses: [{ from: new Date(NOW.getTime() + DAY), until: new Date(NOW.getTime() + 9 * DAY) }] });
    expect(rankCandidates(aNewcomer(), [ended, future], context()).candidates.map((c) => c.peerId)).toEqual(['ended', 'future']);
  });

  it('when they share no language, the peer is never proposed', () => {
    expectNeverProposed(aPeer({ languages: ['es', 'pt'] }), 'MATCH.NO_SHARED_LANGUAGE');
  });

  it("when the newcomer's gender preference is a must-have, only peers of that gender are proposed", () => {
    const newcomer = aNewcomer({ preferences: { peerGender: { values: ['woman'], mustHave: true } } });
    expectNeverProposed(aPeer({ gender: 'man' }), 'MATCH.GENDER_PREFERENCE_NOT_MET', newcomer);
    expectNeverProposed(aPeer({ gender: undefined }), 'MATCH.GENDER_PREFERENCE_NOT_MET', newcomer);
    expect(rankCandidates(newcomer, [aPeer({ gender: 'Woman' })], context()).candidates).toHaveLength(1);
  });

  it('when the gender preference is only nice-to-have, a peer of another gender is still proposed', () => {
    const newcomer = aNewcomer({ preferences: { peerGender: { values: ['woman'], mustHave: false } } });
    expect(rankCandidates(newcomer, [aPeer({ gender: 'man' })], context()).candidates).toHaveLength(1);
  });

  it("when the newcomer's age-band preference is a must-have, peers outside it are never proposed", () => {
    const newcomer = aNewcomer({ preferences: { peerAgeBand: { values: ['25-34'], mustHave: true } } });
    expectNeverProposed(aPeer({ ageBand: '55-64' }), 'MATCH.AGE_BAND_PREFERENCE_NOT_MET', newcomer);
  });

  it('when their meeting modes do not overlap, the peer is never proposed', () => {
    expectNeverProposed(aPeer({ meetingModes: ['phone'] }), 'MATCH.NO_SHARED_MEETING_MODE');
  });

  it('when they could only meet in person, they must live in the same region', () => {
    const newcomer = aNewcomer({ meetingModes: ['in_person'], region: 'Madrid' });
    expectNeverProposed(aPeer({ meetingModes: ['in_person', 'phone'], region: 'Sevilla' }), 'MATCH.IN_PERSON_REGION_MISMATCH', newcomer);
    expectNeverProposed(aPeer({ meetingModes: ['in_person'], region: undefined }), 'MATCH.IN_PERSON_REGION_MISMATCH', newcomer);
    expect(rankCandidates(newcomer, [aPeer({ meetingModes: ['in_person'], region: 'madrid' })], context()).candidates).toHaveLength(1);
  });

  it('when in-person does not work out but video does, the peer is proposed', () => {
    const newcomer = aNewcomer({ meetingModes: ['in_person', 'video'], region: 'Madrid' });
    expect(rankCandidates(newcomer, [aPeer({ meetingModes: ['in_person', 'video'], region: 'Lima' })], context()).candidates).toHaveLength(1);
  });

  it('when the peer is not further along in recovery by the configured gap, they are never proposed', () => {
    const newcomer = aNewcomer({ recoveryStartedAt: yearsBefore(NOW, 2) });
    expectNeverProposed(aPeer({ recoveryStartedAt: yearsBefore(NOW, 2.5) }), 'MATCH.RECOVERY_GAP_TOO_SMALL', newcomer);
    expect(rankCandidates(newcomer, [aPeer({ recoveryStartedAt: yearsBefore(NOW, 3.1) })], context()).candidates).toHaveLength(1);
  });

  it("when the newcomer's recovery start is unknown, it counts as now", () => {
    const newcomer = aNewcomer({ recoveryStartedAt: undefined });
    expectNeverProposed(aPeer({ recoveryStartedAt: monthsBefore(NOW, 11) }), 'MATCH.RECOVERY_GAP_TOO_SMALL', newcomer);
    expect(rankCandidates(newcomer, [aPeer({ recoveryStartedAt: monthsBefore(NOW, 13) })], context()).candidates).toHaveLength(1);
  });

  it('the minimum recovery gap comes from the configuration', async () => {
    const { DEFAULT_ENGINE_CONFIG } = await import('@kindred/matching-engine');
    const peer = aPeer({ recoveryStartedAt: monthsBefore(NOW, 13) });
    const strict = { ...DEFAULT_ENGINE_CONFIG, minRecoveryGapMonths: 24 };
    expect(rankCandidates(aNewcomer(), [peer], context()).candidates).toHaveLength(1);
    expect(skippedCodes(rankCandidates(aNewcomer(), [peer], context({ config: strict })), 'peer-1')).toEqual(['MATCH.RECOVERY_GAP_TOO_SMALL']);
  });

  it('when they share no lived-experience topic, the peer is never proposed', () => {
    expectNeverProposed(aPeer({ topics: ['addiction'] }), 'MATCH.NO_SHARED_TOPIC');
  });

  it('when a coordinator declined the pair before, it is never proposed again', () => {
    const declinedPairs = [{ newcomerId: 'newcomer-1', peerId: 'peer-1' }];
    const ranked = rankCandidates(aNewcomer(), [aPeer(), aPeer({ id: 'peer-2' })], context({ declinedPairs }));
    expect(ranked.candidates.map((c) => c.peerId)).toEqual(['peer-2']);
    expect(skippedCodes(ranked, 'peer-1')).toEqual(['MATCH.PREVIOUSLY_DECLINED']);
    const batch = assignBatch([aNewcomer()], [aPeer()], context({ declinedPairs }));
    expect(batch.assignments).toEqual([]);
  });

  it('when a newcomer is at imminent risk, they are never matched and the reason says so', () => {
    const urgent = aNewcomer({ riskLevel: 'imminent' });
    const ranked = rankCandidates(urgent, [aPeer()], context());
    expect(ranked.candidates).toEqual([]);
    expect(ranked.blocked?.code).toBe('MATCH.NEWCOMER_URGENT');
    expect(ranked.blocked?.sentence).toMatch(/coordinator/);
    const batch = assignBatch([urgent], [aPeer()], context());
    expect(batch.assignments).toEqual([]);
    expect(batch.unassigned.map((u) => u.reason.code)).toEqual(['MATCH.NEWCOMER_URGENT']);
  });

  it('a skipped peer carries every rule it breaks, with a code and a sentence', () => {
    const ranked = rankCandidates(aNewcomer(), [aPeer({ active: false, languages: ['fr'], topics: ['trauma'] })], context());
    const reasons = ranked.skipped[0]?.reasons ?? [];
    expect(reasons.map((r) => r.code)).toEqual(['MATCH.PEER_INACTIVE', 'MATCH.NO_SHARED_LANGUAGE', 'MATCH.NO_SHARED_TOPIC']);
    expect(reasons.every((r) => r.sentence.length > 10)).toBe(true);
  });

  it('skip reasons are in Spanish when asked', () => {
    const ranked = rankCandidates(aNewcomer(), [aPeer({ languages: ['fr'] })], context({ locale: 'es' }));
    expect(ranked.skipped[0]?.reasons[0]?.sentence).toBe('No comparten un idioma.');
  });
});
