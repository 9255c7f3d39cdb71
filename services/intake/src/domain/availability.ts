/** A weekly slot in minutes since local midnight; 0 = Monday. The contracts' WeeklyWindow. */
export interface WeeklyWindow {
  readonly day: number;
  readonly startMinute: number;
  readonly endMinute: number;
}

function minutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * Form windows ("Fri 22:00–02:00") as minute windows; one crossing midnight becomes two (Fri 22:00–24:00 and
 * Sat 00:00–02:00). Overlapping windows of a day are merged and the result is sorted, so equal availability
 * always yields equal events.
 */
export function toWeeklyWindows(input: readonly { day: number; start: string; end: string }[]): WeeklyWindow[] {
  const pieces: WeeklyWindow[] = [];
  for (const w of input) {
    const start = minutes(w.start);
    const end = minutes(w.end);
    if (end > start) {
      pieces.push({ day: w.day, startMinute: start, endMinute: end });
    } else {
      pieces.push({ day: w.day, startMinute: start, endMinute: 1440 });
      if (end > 0) pieces.push({ day: (w.day + 1) % 7, startMinute: 0, endMinute: end });
    }
  }
  pieces.sort((a, b) => a.day - b.day || a.startMinute - b.startMinute);
  const merged: WeeklyWindow[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last && last.day === piece.day && piece.startMinute <= last.endMinute) {
      merged[merged.length - 1] = { ...last, endMinute: Math.max(last.endMinute, piece.endMinute) };
    } else {
      merged.push(piece);
    }
  }
  return merged;
}
