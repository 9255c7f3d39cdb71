import { describe, expect, it } from 'vitest';
import { elapsed, escapeHtml, html, labels, negotiateLocale, recoveryGapYears, safeNext, timeZoneDistanceHours, weeklyOverlapMinutes } from '@kindred/console';

const january = new Date('2026-01-14T12:00:00Z');

describe('availability overlap', () => {
  it('reads each schedule in its own time zone', () => {
    // 18-21 in New York (UTC-5) is 17-20 in Chicago (UTC-6); Chicago 17-19 overlaps for two hours.
    const ny = [{ day: 0, startMinute: 18 * 60, endMinute: 21 * 60 }];
    const chi = [{ day: 0, startMinute: 17 * 60, endMinute: 19 * 60 }];
    expect(weeklyOverlapMinutes(ny, 'America/New_York', chi, 'America/Chicago', january)).toBe(120);
    expect(weeklyOverlapMinutes(ny, 'UTC', chi, 'UTC', january)).toBe(60);
  });

  it('counts a slot that crosses the week boundary in UTC', () => {
    // Sunday 23:00-24:00 in UTC-5 is Monday 04:00-05:00 UTC.
    const late = [{ day: 6, startMinute: 23 * 60, endMinute: 24 * 60 }];
    const early = [{ day: 0, startMinute: 4 * 60, endMinute: 6 * 60 }];
    expect(weeklyOverlapMinutes(late, 'America/New_York', early, 'UTC', january)).toBe(60);
  });

  it('does not double count overlapping slots of one person', () => {
    const a = [
      { day: 1, startMinute: 600, endMinute: 720 },
      { day: 1, startMinute: 660, endMinute: 780 },
    ];
    const b = [{ day: 1, startMinute: 0, endMinute: 1440 }];
    expect(weeklyOverlapMinutes(a, 'UTC', b, 'UTC', january)).toBe(180);
  });

  it('knows the distance between zones, with daylight saving', () => {
    expect(timeZoneDistanceHours('America/New_York', 'Europe/Madrid', january)).toBe(6);
    expect(timeZoneDistanceHours('Not/AZone', 'UTC', january)).toBe(0);
  });
});

describe('recovery gap', () => {
  it('is in whole years, rounded as the engine rounds, and counts a newcomer without a date as starting today', () => {
    // 9.77 years: the engine says "10 years further along", so the facts box must not say 9.
    expect(recoveryGapYears('2014-02-09', '2023-11-17', january)).toBe(10);
    expect(recoveryGapYears('2014-02-09', '2023-05-01', january)).toBe(9);
    expect(recoveryGapYears('2020-01-15', '', january)).toBe(6); // a day short of six years
    expect(recoveryGapYears('', '2020-01-01', january)).toBeUndefined();
  });
});

describe('elapsed time', () => {
  it('picks a readable unit', () => {
    expect(elapsed(90 * 60_000)).toEqual({ unit: 'minutes', value: 90 });
    expect(elapsed(30 * 3600_000)).toEqual({ unit: 'hours', value: 30 });
    expect(elapsed(72 * 3600_000)).toEqual({ unit: 'days', value: 3 });
  });
});

describe('web helpers', () => {
  it('negotiates the language from Accept-Language with q-values', () => {
    expect(negotiateLocale('es-ES,es;q=0.9')).toBe('es');
    expect(negotiateLocale('fr;q=1, es;q=0.4, en;q=0.5')).toBe('en');
    expect(negotiateLocale('es;q=0')).toBe('en');
    expect(negotiateLocale(undefined)).toBe('en');
  });

  it('labels audit reasons whichever way the decline reason is spelled', () => {
    const l = labels('en');
    expect(l.reason('DECLINE_REASON_LOGISTICS')).toBe('Logistics (language, schedule, meeting mode)');
    expect(l.reason('logistics')).toBe('Logistics (language, schedule, meeting mode)');
    expect(l.reason('vacation')).toBe('Vacation');
    expect(l.reason('some_new_code')).toBe('some_new_code');
    expect(labels('es').reason('safety_concern')).toBe('Preocupación de seguridad o de límites');
  });

  it('escapes every interpolated value', () => {
    expect(html`<p>${'<script>"x"&\'y\''}</p>`.toString()).toBe('<p>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;</p>');
    expect(escapeHtml('a<b')).toBe('a&lt;b');
  });

  it('never redirects off the console after sign-in', () => {
    expect(safeNext('/matches/m-1?x=1')).toBe('/matches/m-1?x=1');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('')).toBe('/');
  });
});
