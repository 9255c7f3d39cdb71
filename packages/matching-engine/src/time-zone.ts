import { EngineInputError } from './engine-error.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * UTC offset (minutes, local = UTC + offset) of an IANA zone at one instant. Weekly windows are converted
 * with the offset at a single reference instant, so a DST change later in the week does not split a window.
 */
export function utcOffsetMinutes(timeZone: string, instant: Date, field: string): number {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      throw new EngineInputError('MATCH.INVALID_INPUT', `${field} "${timeZone}" is not an IANA time zone`);
    }
    formatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (match === null) throw new EngineInputError('MATCH.INVALID_INPUT', `${field} "${timeZone}" gave an unreadable offset`);
  if (match[1] === undefined) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}
