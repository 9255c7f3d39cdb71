// Builders for readable tests: a newcomer and a peer who match on everything, to be changed one field at a time.
import type { MatchContext, NewcomerProfile, PeerProfile } from '@kindred/matching-engine';

export const NOW = new Date('2025-03-03T12:00:00Z');
export const DAY = 86_400_000;
export const yearsBefore = (date: Date, years: number): Date => new Date(date.getTime() - years * 365.25 * DAY);
export const monthsBefore = (date: Date, months: number): Date => new Date(date.getTime() - months * 30.436875 * DAY);

export function aNewcomer(overrides: Partial<NewcomerProfile> = {}): NewcomerProfile {
  return {
    id: 'newcomer-1',
    languages: ['en'],
    topics: ['grief', 'anxiety'],
    meetingModes: ['video'],
    timeZone: 'Europe/London',
    availability: [{ day: 0, startMinute: 18 * 60, endMinute: 21 * 60 }],
    riskLevel: 'low',
    waitingSince: new Date(NOW.getTime() - 3 * DAY),
    ...overrides,
  };
}

export function aPeer(overrides: Partial<PeerProfile> = {}): PeerProfile {
  return {
    id: 'peer-1',
    active: true,
    consented: true,
    capacity: 3,
    currentLoad: 0,
    languages: ['en'],
    topics: ['grief', 'anxiety'],
    meetingModes: ['video'],
    timeZone: 'Europe/London',
    availability: [{ day: 0, startMinute: 18 * 60, endMinute: 21 * 60 }],
    recoveryStartedAt: yearsBefore(NOW, 3),
    gender: 'woman',
    ageBand: '35-44',
    ...overrides,
  };
}

export const context = (overrides: Partial<MatchContext> = {}): MatchContext => ({ now: NOW, ...overrides });
