/**
 * Facts a coordinator needs for a decision, derived from the attributes the matching service sends, so that
 * the page shows the conclusion (hours of overlap, years of recovery gap, time waited) rather than the raw
 * schedule, dates and time stamps behind it.
 */

export interface WeeklySlot {
  readonly day: number;
  readonly startMinute: number;
  readonly endMinute: number;
}

const week = 7 * 24 * 60;

/** The zone's offset from UTC in minutes at `at` (positive east of Greenwich); 0 for an unknown zone. */
export function utcOffsetMinutes(timeZone: string, at: Date): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(at);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  } catch {
    return 0;
  }
}

/** Slots as [start, end) minute ranges of a UTC week, split where they wrap around Sunday midnight. */
function toUtcRanges(slots: readonly WeeklySlot[], offset: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (const slot of slots) {
    if (slot.endMinute <= slot.startMinute) continue;
    const start = (((slot.day * 1440 + slot.startMinute - offset) % week) + week) % week;
    const length = slot.endMinute - slot.startMinute;
    if (start + length <= week) ranges.push([start, start + length]);
    else ranges.push([start, week], [0, start + length - week]);
  }
  return ranges;
}

function merge(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Minutes per week when both people are available, each schedule read in its own time zone. */
export function weeklyOverlapMinutes(
  a: readonly WeeklySlot[],
  aZone: string,
  b: readonly WeeklySlot[],
  bZone: string,
  at: Date,
): number {
  const ra = merge(toUtcRanges(a, utcOffsetMinutes(aZone, at)));
  const rb = merge(toUtcRanges(b, utcOffsetMinutes(bZone, at)));
  let total = 0;
  for (const [as, ae] of ra) {
    for (const [bs, be] of rb) total += Math.max(0, Math.min(ae, be) - Math.max(as, bs));
  }
  return total;
}

/** Whole hours between the zones' current offsets. */
export function timeZoneDistanceHours(aZone: string, bZone: string, at: Date): number {
  return Math.round(Math.abs(utcOffsetMinutes(aZone, at) - utcOffsetMinutes(bZone, at)) / 60);
}

/**
 * How much further along in recovery the peer is, in whole years rounded to the nearest (can be negative), or
 * undefined when the peer's date is missing. A newcomer without a date counts as starting today. Rounded the way
 * the engine's explanation rounds, so the facts box and the engine's sentence on the same page agree.
 */
export function recoveryGapYears(peerStartedOn: string, newcomerStartedOn: string, today: Date): number | undefined {
  const peer = parseDay(peerStartedOn);
  if (peer === undefined) return undefined;
  const newcomer = parseDay(newcomerStartedOn) ?? Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((newcomer - peer) / (365.25 * 24 * 3600 * 1000));
}

function parseDay(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

export type Elapsed = { readonly unit: 'minutes' | 'hours' | 'days'; readonly value: number };

/** A duration in the largest unit that keeps it readable. */
export function elapsed(ms: number): Elapsed {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return { unit: 'minutes', value: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { unit: 'hours', value: hours };
  return { unit: 'days', value: Math.floor(hours / 24) };
}
