// Seeded, plausible populations for the engine benchmark (same seed → same people).
import type { MeetingMode, NewcomerProfile, PeerProfile, WeeklyWindow } from '@kindred/matching-engine';
import { AGE_BANDS } from '@kindred/matching-engine';

export const BENCH_NOW = new Date('2025-03-03T12:00:00Z');
const DAY = 86_400_000;
const TOPICS = ['grief', 'anxiety', 'depression', 'addiction', 'alcohol', 'trauma', 'ptsd', 'bipolar', 'eating_disorder', 'self_harm', 'caregiving', 'loneliness'];
const ZONES = ['Europe/Madrid', 'Europe/London', 'America/New_York', 'America/Chicago', 'America/Mexico_City', 'America/Bogota', 'America/Los_Angeles', 'Europe/Berlin'];
const REGIONS = Array.from({ length: 20 }, (_, i) => `region-${i}`);

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class PopulationGenerator {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  private chance(p: number): boolean {
    return this.random() < p;
  }
  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  private topics(): string[] {
    const count = 1 + Math.floor(this.random() * 3);
    const set = new Set<string>();
    while (set.size < count) set.add(this.pick(TOPICS));
    return [...set];
  }
  private windows(): WeeklyWindow[] {
    return Array.from({ length: 2 + Math.floor(this.random() * 3) }, () => {
      const start = 32 + Math.floor(this.random() * 52); // 08:00–21:00 local
      return { day: Math.floor(this.random() * 7), startMinute: start * 15, endMinute: Math.min(96, start + 4 + Math.floor(this.random() * 8)) * 15 };
    });
  }
  private person(dense: boolean) {
    const modes: MeetingMode[] = dense ? ['video'] : this.chance(0.1) ? ['in_person'] : ['video', ...(this.chance(0.5) ? (['phone'] as const) : [])];
    return {
      languages: dense ? ['es'] : this.chance(0.6) ? ['en'] : this.chance(0.5) ? ['es'] : ['en', 'es'],
      topics: dense ? ['grief', ...this.topics()] : this.topics(),
      meetingModes: modes,
      region: this.pick(REGIONS),
      timeZone: this.pick(ZONES),
      availability: this.windows(),
      gender: this.pick(['woman', 'man', 'nonbinary', 'woman', 'man']),
      ageBand: this.pick(AGE_BANDS),
    };
  }
  /** `dense`: everyone fits everyone (no capacity limits beyond 1, shared language/topic), for the dense LAP. */
  peers(count: number, dense = false): PeerProfile[] {
    return Array.from({ length: count }, (_, i) => {
      const capacity = dense ? 1 : 1 + Math.floor(this.random() * 4);
      return {
        id: `peer-${String(i).padStart(6, '0')}`,
        active: dense || this.chance(0.95),
        consented: dense || this.chance(0.97),
        capacity,
        currentLoad: dense ? 0 : Math.floor(this.random() * capacity),
        recoveryStartedAt: new Date(BENCH_NOW.getTime() - (dense ? 800 : 200) * DAY - this.random() * 15 * 365 * DAY),
        ...this.person(dense),
      };
    });
  }
  newcomers(count: number, dense = false): NewcomerProfile[] {
    return Array.from({ length: count }, (_, i) => ({
      id: `newcomer-${String(i).padStart(6, '0')}`,
      recoveryStartedAt: this.chance(0.5) ? new Date(BENCH_NOW.getTime() - this.random() * 365 * DAY) : undefined,
      riskLevel: !dense && this.chance(0.02) ? 'imminent' : 'low',
      waitingSince: new Date(BENCH_NOW.getTime() - this.random() * 20 * DAY),
      preferences:
        !dense && this.chance(0.2) ? { peerGender: { values: [this.pick(['woman', 'man'])], mustHave: this.chance(0.3) } } : undefined,
      ...this.person(dense),
    }));
  }
}
