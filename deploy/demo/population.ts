/**
 * The demo population of `./kindred up`: a few hundred fictional peers and a handful of newcomers waiting, generated
 * deterministically (a seeded PRNG per person), so every machine gets the same people and a peer's request body
 * never changes between runs — which its Idempotency-Key requires. Nothing here depends on today's date.
 * Names come from small per-language lists; addresses are example.org; numbers are the fictional 555-01xx range.
 */

/** Bump when a person's body changes: the intake refuses an Idempotency-Key reused with another body. */
const KEY_PREFIX = 'demo-2026b';
const NOTICE_VERSION = '2026-01';

export const DEFAULT_DEMO_PEERS = 300;
/** Enough to show the scale without making the first start slow; `KINDRED_DEMO_PEERS` changes it. */
export const MAX_DEMO_PEERS = 1000;

export interface DemoPerson {
  readonly idempotencyKey: string;
  readonly body: Record<string, unknown>;
}

/** mulberry32: tiny, fast and the same on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Random {
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  some<T>(items: readonly T[], count: number): T[];
}

function random(seed: number): Random {
  const next = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    int,
    pick: <T>(items: readonly T[]) => items[int(0, items.length - 1)] as T,
    weighted<T>(items: readonly (readonly [T, number])[]): T {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [item, weight] of items) {
        roll -= weight;
        if (roll < 0) return item;
      }
      return (items[items.length - 1] as readonly [T, number])[0];
    },
    chance: (p: number) => next() < p,
    some<T>(items: readonly T[], count: number): T[] {
      const pool = [...items];
      const chosen: T[] = [];
      while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(int(0, pool.length - 1), 1)[0] as T);
      return chosen;
    },
  };
}

const names = {
  en: {
    woman: ['Abigail', 'Beth', 'Chloe', 'Dana', 'Eleanor', 'Fiona', 'Hannah', 'Imani', 'Jess', 'Kayla', 'Leah', 'Maya', 'Nora', 'Olivia', 'Priya', 'Ruth', 'Tessa', 'Vivian', 'Wendy', 'Zoe'],
    man: ['Aaron', 'Ben', 'Caleb', 'Darnell', 'Ethan', 'Frank', 'Gavin', 'Henry', 'Isaac', 'Jamal', 'Kevin', 'Liam', 'Marcus', 'Nate', 'Owen', 'Paul', 'Reggie', 'Simon', 'Trevor', 'Wes'],
    neutral: ['Alex', 'Avery', 'Blake', 'Casey', 'Drew', 'Emerson', 'Finley', 'Jordan', 'Kai', 'Morgan', 'Quinn', 'Reese', 'Rowan', 'Sage', 'Taylor'],
  },
  es: {
    woman: ['Adriana', 'Beatriz', 'Carmen', 'Daniela', 'Elena', 'Fernanda', 'Gabriela', 'Inés', 'Josefina', 'Lucía', 'Marisol', 'Natalia', 'Paloma', 'Rocío', 'Sofía', 'Teresa', 'Valeria', 'Ximena', 'Yolanda', 'Zulema'],
    man: ['Alejandro', 'Bruno', 'Carlos', 'Diego', 'Emilio', 'Felipe', 'Gerardo', 'Héctor', 'Ignacio', 'Javier', 'Luis', 'Mateo', 'Nicolás', 'Óscar', 'Pablo', 'Ramón', 'Santiago', 'Tomás', 'Víctor', 'Joaquín'],
    neutral: ['Ariel', 'Cruz', 'Guadalupe', 'Noa', 'Paz', 'René', 'Sasha', 'Trinidad', 'Alexis', 'Elián'],
  },
} as const;

/** Time zone and region pairs where the demo's people live, per language. */
const places: Readonly<Record<'en' | 'es', readonly (readonly [string, string])[]>> = {
  en: [
    ['America/New_York', 'US-NY'], ['America/New_York', 'US-MA'], ['America/New_York', 'US-GA'], ['America/Chicago', 'US-IL'],
    ['America/Chicago', 'US-MN'], ['America/Chicago', 'US-TX'], ['America/Denver', 'US-CO'], ['America/Phoenix', 'US-AZ'],
    ['America/Los_Angeles', 'US-CA'], ['America/Los_Angeles', 'US-WA'], ['America/Anchorage', 'US-AK'], ['Pacific/Honolulu', 'US-HI'],
  ],
  es: [
    ['America/Chicago', 'US-TX'], ['America/Los_Angeles', 'US-CA'], ['America/New_York', 'US-FL'], ['America/Denver', 'US-NM'],
    ['America/Phoenix', 'US-AZ'], ['America/New_York', 'US-NY'], ['America/Puerto_Rico', 'US-PR'], ['America/Chicago', 'US-IL'],
  ],
};

/** The intake's vocabulary (services/intake/src/domain/vocabulary.ts), weighted by how often peers bring each. */
const topicWeights = [
  ['depression', 14], ['anxiety', 14], ['grief', 8], ['substance_use', 9], ['trauma_ptsd', 8], ['bipolar', 5], ['postpartum', 3],
  ['identity_stress', 4], ['eating_disorder', 3], ['self_harm', 3], ['psychosis', 2], ['ocd', 3], ['adhd', 4], ['autism', 2],
  ['chronic_illness', 4], ['suicide_loss', 2], ['caregiver_stress', 4], ['loneliness', 5], ['suicidal_thoughts', 2], ['gambling', 1],
  ['personality_disorder', 1], ['pregnancy_loss', 2], ['domestic_abuse', 2], ['military_service', 3],
] as const;

const ageWeights = [['18_24', 4], ['25_34', 20], ['35_44', 26], ['45_54', 22], ['55_64', 18], ['65_plus', 10]] as const;
const genderWeights = [['woman', 48], ['man', 40], ['nonbinary', 7], ['another', 2], ['prefer_not_say', 3]] as const;
const capacityWeights = [[1, 20], [2, 40], [3, 25], [4, 15]] as const;
const modeWeights: readonly (readonly [readonly string[], number])[] = [
  [['phone', 'video'], 40], [['video'], 15], [['phone'], 10], [['phone', 'video', 'in_person'], 25], [['in_person', 'phone'], 10],
] as const;

type Window = { day: number; start: string; end: string };
const days = (list: readonly number[], start: string, end: string): Window[] => list.map((day) => ({ day, start, end }));
/** Weekly availability patterns (0 = Monday); some cross midnight, as night owls' do. */
const availabilityPatterns: readonly (readonly [Window[], number])[] = [
  [days([0, 1, 2, 3, 4], '18:00', '21:00'), 30],
  [days([5, 6], '09:00', '13:00'), 12],
  [days([0, 2, 4], '12:00', '13:30'), 10],
  [[...days([1, 3], '19:00', '22:00'), ...days([5], '10:00', '14:00')], 15],
  [days([0, 1, 2, 3, 4], '07:00', '09:00'), 8],
  [days([0, 1, 2, 3, 4, 5, 6], '20:00', '23:00'), 8],
  [days([2, 4, 6], '22:00', '01:00'), 5],
  [days([0, 1, 2, 3, 4], '09:00', '17:00'), 12],
];

const bios = {
  en: ['Here to listen, not to judge.', 'I remember how hard the first step was.', 'Happy to talk about what helped me.', 'One day at a time.', 'Coffee, walks and honest talk.'],
  es: ['Estoy aquí para escuchar, sin juzgar.', 'Recuerdo lo difícil que fue el primer paso.', 'Con gusto comparto lo que me ayudó.', 'Un día a la vez.', 'Café, paseos y conversaciones sinceras.'],
} as const;

function ascii(name: string): string {
  return name.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
}

/** A 555-01xx number, unique per (area code, index): 100 numbers per area code. */
function fictionalPhone(areaCodes: readonly string[], index: number): string {
  const area = areaCodes[Math.floor(index / 100) % areaCodes.length] as string;
  return `+1 ${area} 555 01${String(index % 100).padStart(2, '0')}`;
}

const peerAreaCodes = ['201', '312', '415', '713', '503', '617', '303', '404', '612', '206'];

function isoDay(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Peer number `index` (0-based); the same index always gives the same person. */
export function demoPeer(index: number): DemoPerson {
  const r = random(0x6b696e64 ^ Math.imul(index + 1, 0x9e3779b1));
  const speaks = r.weighted([['en', 58], ['es', 20], ['both', 22]] as const);
  const locale = speaks === 'both' ? r.pick(['en', 'es'] as const) : speaks;
  const languages = speaks === 'both' ? (locale === 'es' ? ['es', 'en'] : ['en', 'es']) : [speaks];
  const gender = r.weighted(genderWeights);
  const list = names[locale];
  const firstName = r.pick(gender === 'woman' ? list.woman : gender === 'man' ? list.man : list.neutral);
  const [timeZone, region] = r.pick(places[locale]);
  const topics = r.some(topicWeights.flatMap(([topic, weight]) => Array<string>(weight).fill(topic)), 12).filter((t, i, all) => all.indexOf(t) === i).slice(0, r.weighted([[1, 20], [2, 40], [3, 30], [4, 10]] as const));
  // Recovery began between 1995 and mid-2024, more often recently: everyone is at least two years along.
  const year = 2024 - Math.floor(29 * r.int(0, 1000) ** 2 / 1_000_000);
  const recoveryStartedOn = isoDay(year, year === 2024 ? r.int(1, 6) : r.int(1, 12), r.int(1, 28));
  const preferredChannel = r.weighted([['email', 60], ['sms', 40]] as const);
  const number = String(index + 1).padStart(4, '0');
  const body: Record<string, unknown> = {
    firstName,
    contact: { email: `${ascii(firstName)}.peer${number}@example.org`, phone: fictionalPhone(peerAreaCodes, index) },
    preferredChannel,
    locale,
    timeZone,
    languages,
    ageBand: r.weighted(ageWeights),
    gender,
    topics,
    meetingModes: [...r.weighted(modeWeights)],
    region,
    availability: r.weighted(availabilityPatterns),
    recoveryStartedOn,
    capacity: r.weighted(capacityWeights),
    certified: r.chance(0.9),
    ...(r.chance(0.5) ? { bio: r.pick(bios[locale]) } : {}),
    consents: { contactByEmail: true, contactBySms: preferredChannel === 'sms' || r.chance(0.7), shareFirstName: true, shareTopics: true, noticeVersion: NOTICE_VERSION },
  };
  return { idempotencyKey: `${KEY_PREFIX}-peer-${number}`, body };
}

export function demoPeers(count: number): DemoPerson[] {
  return Array.from({ length: count }, (_, index) => demoPeer(index));
}

const none = { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false };
const evenings = days([0, 1, 2, 3, 4], '18:00', '21:00');

/**
 * The newcomers waiting when Kindred starts, in English and Spanish. Casey screens as imminent risk: shown crisis
 * resources at once, urgent for coordinators, never matched automatically.
 */
const newcomerBodies: readonly Record<string, unknown>[] = [
  { firstName: 'Avery', locale: 'en', languages: ['en'], timeZone: 'America/Chicago', region: 'US-IL', ageBand: '25_34', gender: 'woman', genderPreference: { kind: 'none', mustHave: false }, topics: ['anxiety', 'grief'], meetingModes: ['phone', 'video'], availability: evenings, screener: none, hopes: 'Someone who gets it.' },
  { firstName: 'Lucía', locale: 'es', languages: ['es'], timeZone: 'America/Chicago', region: 'US-TX', ageBand: '35_44', gender: 'woman', genderPreference: { kind: 'same', mustHave: true }, topics: ['grief', 'depression'], meetingModes: ['phone', 'video'], availability: evenings, screener: { ...none, wishToBeDead: true } },
  { firstName: 'Jordan', locale: 'en', languages: ['en'], timeZone: 'America/New_York', region: 'US-NY', ageBand: '18_24', gender: 'man', genderPreference: { kind: 'none', mustHave: false }, topics: ['substance_use'], meetingModes: ['video'], availability: days([5, 6], '10:00', '13:00'), recoveryStartedOn: '2025-09-01', screener: none },
  { firstName: 'Riley', locale: 'en', languages: ['en'], timeZone: 'America/Denver', region: 'US-CO', ageBand: '18_24', gender: 'nonbinary', genderPreference: { kind: 'none', mustHave: false }, topics: ['identity_stress', 'anxiety'], meetingModes: ['phone', 'video'], availability: evenings, screener: none },
  { firstName: 'Mateo', locale: 'es', languages: ['es', 'en'], timeZone: 'America/Los_Angeles', region: 'US-CA', ageBand: '45_54', gender: 'man', genderPreference: { kind: 'none', mustHave: false }, topics: ['substance_use', 'depression'], meetingModes: ['in_person', 'phone'], availability: days([1, 3], '19:00', '21:00'), recoveryStartedOn: '2025-03-15', screener: none },
  { firstName: 'Hannah', locale: 'en', languages: ['en'], timeZone: 'America/Los_Angeles', region: 'US-WA', ageBand: '25_34', gender: 'woman', genderPreference: { kind: 'specific', genders: ['woman'], mustHave: false }, topics: ['postpartum', 'anxiety'], meetingModes: ['video'], availability: days([0, 2, 4], '12:00', '13:30'), screener: none },
  { firstName: 'Sofía', locale: 'es', languages: ['es'], timeZone: 'America/New_York', region: 'US-FL', ageBand: '55_64', gender: 'woman', genderPreference: { kind: 'none', mustHave: false }, topics: ['caregiver_stress', 'loneliness'], meetingModes: ['phone'], availability: days([0, 1, 2, 3, 4], '09:00', '12:00'), screener: none },
  { firstName: 'Casey', locale: 'en', languages: ['en'], timeZone: 'America/Chicago', region: 'US-MN', ageBand: '35_44', gender: 'man', genderPreference: { kind: 'none', mustHave: false }, topics: ['depression'], meetingModes: ['phone', 'video'], availability: evenings, screener: { wishToBeDead: true, suicidalThoughts: true, thoughtsWithMethod: true, intentToAct: true, planWithIntent: true, suicidalBehavior: false } },
];

export function demoNewcomers(): DemoPerson[] {
  return newcomerBodies.map((fields, index) => {
    const number = String(index + 1).padStart(2, '0');
    const preferredChannel = index % 2 === 0 ? 'sms' : 'email';
    return {
      idempotencyKey: `${KEY_PREFIX}-newcomer-${number}`,
      body: {
        ...fields,
        contact: { email: `${ascii(String(fields['firstName']))}.newcomer${number}@example.org`, phone: fictionalPhone(['646'], index) },
        preferredChannel,
        consents: { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion: NOTICE_VERSION },
      },
    };
  });
}

/** How many demo peers to load: `KINDRED_DEMO_PEERS` (a test asks for fewer), else the realistic default. */
export function demoPeerCount(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env['KINDRED_DEMO_PEERS'];
  if (text === undefined || text === '') return DEFAULT_DEMO_PEERS;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0 || count > MAX_DEMO_PEERS) {
    throw new Error(`KINDRED_DEMO_PEERS must be a whole number from 0 to ${MAX_DEMO_PEERS} (got "${text}")`);
  }
  return count;
}
