/** The part of the day, in the recipient's own time zone, when introductions may be sent: [start, end). */
export interface SendingWindow {
  readonly startMinute: number;
  readonly endMinute: number;
}

export class InvalidSendingWindowError extends Error {
  readonly code = 'NOTIFIER.INVALID_SENDING_WINDOW';
}

/** Parses "08:00-21:00". */
export function parseSendingWindow(value: string): SendingWindow {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) throw new InvalidSendingWindowError(`sending window must look like 08:00-21:00 (got "${value}")`);
  const [startHour, startMin, endHour, endMin] = match.slice(1).map(Number) as [number, number, number, number];
  if (startHour > 23 || endHour > 24 || startMin > 59 || endMin > 59 || (endHour === 24 && endMin !== 0)) {
    throw new InvalidSendingWindowError(`sending window has an impossible time (got "${value}")`);
  }
  const window = { startMinute: startHour * 60 + startMin, endMinute: endHour * 60 + endMin };
  if (window.startMinute === window.endMinute) throw new InvalidSendingWindowError(`sending window is empty (got "${value}")`);
  return window;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Seconds since local midnight of `at` in `timeZone`. */
export function localSecondOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return part('hour') * 3600 + part('minute') * 60 + part('second');
}

function insideWindow(minute: number, window: SendingWindow): boolean {
  return window.startMinute < window.endMinute
    ? minute >= window.startMinute && minute < window.endMinute
    : minute >= window.startMinute || minute < window.endMinute; // a window that spans midnight
}

/**
 * How long to wait before a message may go out: 0 inside the window, otherwise the time until the window opens
 * in the recipient's zone (an unknown zone falls back to `fallbackTimeZone`). Whole seconds, computed from the
 * wall clock, so a DST change on the night in question can shift the result by the change (an hour at most).
 */
export function delayUntilSendable(at: Date, timeZone: string, window: SendingWindow, fallbackTimeZone = 'UTC'): number {
  const zone = isValidTimeZone(timeZone) ? timeZone : fallbackTimeZone;
  const second = localSecondOfDay(at, zone);
  if (insideWindow(Math.floor(second / 60), window)) return 0;
  const startSecond = window.startMinute * 60;
  const wait = (startSecond - second + 86_400) % 86_400;
  return wait * 1000 - at.getUTCMilliseconds();
}
