import { describe, expect, it } from 'vitest';
import { toWeeklyWindows } from '../../src/domain/availability.js';

describe('weekly availability', () => {
  it('splits a window that crosses midnight, Sunday into Monday', () => {
    expect(toWeeklyWindows([{ day: 6, start: '22:00', end: '01:30' }])).toEqual([
      { day: 0, startMinute: 0, endMinute: 90 },
      { day: 6, startMinute: 1320, endMinute: 1440 },
    ]);
  });

  it('merges overlapping windows and sorts them', () => {
    expect(
      toWeeklyWindows([
        { day: 2, start: '10:00', end: '12:00' },
        { day: 1, start: '08:00', end: '09:00' },
        { day: 2, start: '11:00', end: '24:00' },
      ]),
    ).toEqual([
      { day: 1, startMinute: 480, endMinute: 540 },
      { day: 2, startMinute: 600, endMinute: 1440 },
    ]);
  });

  it('treats an end at midnight as the end of the day', () => {
    expect(toWeeklyWindows([{ day: 3, start: '20:00', end: '00:00' }])).toEqual([{ day: 3, startMinute: 1200, endMinute: 1440 }]);
  });
});
