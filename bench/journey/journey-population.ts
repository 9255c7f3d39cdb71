// Peers and newcomers for the journey benchmark, as the intake API takes them. Seeded, so runs compare; varied
// (topics, languages, recovery times, capacities, availability, time zones), yet every newcomer has feasible peers,
// so a missing proposal means the system fell behind, not that nobody fits. Addresses are example.org and numbers
// are fictional 555 numbers: everything sent lands in the local sandbox.

const noticeVersion = '2026-01';
const topics = ['depression', 'anxiety', 'grief', 'substance_use', 'trauma_ptsd', 'postpartum', 'identity_stress', 'bipolar', 'loneliness', 'caregiver_stress', 'ocd', 'chronic_illness'] as const;
const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Mexico_City'] as const;
const ageBands = ['18_24', '25_34', '35_44', '45_54', '55_64', '65_plus'] as const;
const genders = ['woman', 'man', 'nonbinary', 'woman', 'man'] as const;
const peerNames = ['Marisol', 'Dev', 'Aisha', 'Tomás', 'Sam', 'Grace', 'Noor', 'Luis', 'Kenji', 'Ruth'] as const;
const newcomerNames = ['Alex', 'Lucía', 'Jordan', 'Riley', 'Casey', 'Maya', 'Omar', 'Ivy'] as const;
const everyDay = (start: string, end: string) => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start, end }));

/** mulberry32: small, seeded, good enough to spread attributes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Introductions one approval makes: the peer consents to email and SMS, the newcomer to email. */
export const INTRODUCTIONS_PER_MATCH = 3;

export type Enrollment = Record<string, unknown>;

export class JourneyPopulation {
  private readonly next: () => number;
  private newcomerCount = 0;

  constructor(
    private readonly run: string,
    seed = 7,
  ) {
    this.next = random(seed);
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  private some<T>(list: readonly T[], min: number, max: number): T[] {
    const count = min + Math.floor(this.next() * (max - min + 1));
    const pool = [...list];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }

  private phone(kind: number, index: number): string {
    return `+1 201 555 ${String(kind * 1000 + (index % 1000)).padStart(4, '0')}`;
  }

  /** Peers' capacities are 4–10 (mean 7): `count` peers hold about 7 × count newcomers at once. */
  peers(count: number): Enrollment[] {
    return Array.from({ length: count }, (_, i) => {
      const spanish = this.next() < 0.35;
      const years = 2 + Math.floor(this.next() * 14);
      return {
        firstName: this.pick(peerNames),
        contact: { email: `peer-${this.run}-${i}@example.org`, phone: this.phone(1, i) },
        preferredChannel: 'email',
        locale: spanish && this.next() < 0.5 ? 'es' : 'en',
        timeZone: this.pick(zones),
        languages: spanish ? ['en', 'es'] : ['en'],
        ageBand: this.pick(ageBands),
        gender: this.pick(genders),
        // Four topics of twelve: every topic has about a third of the peers.
        topics: this.some(topics, 4, 4),
        meetingModes: this.next() < 0.5 ? ['phone', 'video'] : ['video'],
        availability: this.next() < 0.5 ? everyDay('08:00', '22:00') : everyDay('12:00', '22:00'),
        recoveryStartedOn: `${new Date().getUTCFullYear() - years}-0${1 + Math.floor(this.next() * 9)}-15`,
        capacity: 4 + (i % 7),
        certified: true,
        consents: { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion },
      };
    });
  }

  /** A newcomer (never at risk: each one should be proposed a peer), consenting to email only. */
  newcomer(): Enrollment {
    const i = this.newcomerCount;
    this.newcomerCount += 1;
    const spanishOnly = this.next() < 0.1;
    return {
      firstName: this.pick(newcomerNames),
      contact: { email: `newcomer-${this.run}-${i}@example.org` },
      preferredChannel: 'email',
      locale: spanishOnly ? 'es' : 'en',
      timeZone: this.pick(zones),
      languages: spanishOnly ? ['es'] : ['en'],
      ageBand: this.pick(ageBands),
      gender: this.pick(genders),
      genderPreference: { kind: this.next() < 0.3 ? 'same' : 'none', mustHave: false },
      topics: this.some(topics, 1, 2),
      meetingModes: ['video'],
      availability: everyDay('18:00', '21:00'),
      consents: { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion },
      screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false },
    };
  }
}

/** Slots the peers from `peers(count)` offer at once. */
export function peerSlots(count: number): number {
  let slots = 0;
  for (let i = 0; i < count; i += 1) slots += 4 + (i % 7);
  return slots;
}
