import { describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { toAgeBand, toGender, toMeetingMode, toRiskLevel, toTopic } from '../../src/events/intake-event.factory.js';
import { ageBands, genders, meetingModes, riskLevels, topics } from '../../src/domain/vocabulary.js';

/** The enum's real values: without UNSPECIFIED (0) and UNRECOGNIZED (-1). */
const valuesOf = (e: Record<string, string | number>) => Object.values(e).filter((v): v is number => typeof v === 'number' && v > 0).sort((a, b) => a - b);

describe('the form vocabularies match the contracts enums one to one', () => {
  it.each([
    ['Topic', topics, toTopic, events.Topic],
    ['MeetingMode', meetingModes, toMeetingMode, events.MeetingMode],
    ['AgeBand', ageBands, toAgeBand, events.AgeBand],
    ['Gender', genders, toGender, events.Gender],
    ['RiskLevel', riskLevels, toRiskLevel, events.RiskLevel],
  ] as const)('%s', (_name, vocabulary, map, enumeration) => {
    const mapped = (vocabulary as readonly string[]).map((v) => (map as (x: string) => number)(v));
    expect(mapped.every((v) => v > 0)).toBe(true);
    expect([...mapped].sort((a, b) => a - b)).toEqual(valuesOf(enumeration as unknown as Record<string, string | number>));
  });
});
