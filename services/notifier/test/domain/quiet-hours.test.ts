import { describe, expect, it } from 'vitest';
import { delayUntilSendable, parseSendingWindow } from '../../src/domain/quiet-hours.js';

const window = parseSendingWindow('08:00-21:00');
const HOUR = 3_600_000;

describe('quiet hours in the recipient time zone', () => {
  it('sends at once inside the window', () => {
    // 15:00 UTC is 10:00 in New York (EST, UTC-5) in January.
    expect(delayUntilSendable(new Date('2026-01-15T15:00:00Z'), 'America/New_York', window)).toBe(0);
  });

  it('delays a late-evening message until 08:00 the next morning, local time', () => {
    // 03:30 UTC on the 16th is 22:30 on the 15th in New York: 9.5 hours until 08:00.
    expect(delayUntilSendable(new Date('2026-01-16T03:30:00Z'), 'America/New_York', window)).toBe(9.5 * HOUR);
  });

  it('delays an early-morning message until 08:00 the same day', () => {
    // 05:15 in Madrid (UTC+1 in January) is 04:15 UTC.
    expect(delayUntilSendable(new Date('2026-01-15T04:15:00Z'), 'Europe/Madrid', window)).toBe(2.75 * HOUR);
  });

  it('treats the window end as closed: 21:00 sharp waits', () => {
    expect(delayUntilSendable(new Date('2026-01-15T21:00:00Z'), 'UTC', window)).toBe(11 * HOUR);
    expect(delayUntilSendable(new Date('2026-01-15T20:59:59Z'), 'UTC', window)).toBe(0);
  });

  it('falls back to the default zone when the recipient zone is unknown', () => {
    expect(delayUntilSendable(new Date('2026-01-15T23:00:00Z'), 'Not/AZone', window, 'UTC')).toBe(9 * HOUR);
  });

  it('supports a configured window that spans midnight', () => {
    const night = parseSendingWindow('22:00-02:00');
    expect(delayUntilSendable(new Date('2026-01-15T23:00:00Z'), 'UTC', night)).toBe(0);
    expect(delayUntilSendable(new Date('2026-01-15T12:00:00Z'), 'UTC', night)).toBe(10 * HOUR);
  });

  it('rejects a malformed window with a specific message', () => {
    expect(() => parseSendingWindow('8-21')).toThrow(/must look like 08:00-21:00/);
    expect(() => parseSendingWindow('25:00-21:00')).toThrow(/impossible time/);
    expect(() => parseSendingWindow('08:00-08:00')).toThrow(/empty/);
  });
});
