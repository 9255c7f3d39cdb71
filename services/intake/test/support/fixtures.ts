/** Valid payloads for the intake API; tests change one thing at a time. */
export const noticeVersion = '2026-01';

export function validNewcomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    firstName: 'Alexandra',
    contact: { email: 'alex.rivera@example.org', phone: '+1 201 555 0123' },
    preferredChannel: 'sms',
    locale: 'en',
    timeZone: 'America/Chicago',
    languages: ['en', 'es'],
    ageBand: '25_34',
    gender: 'woman',
    genderPreference: { kind: 'same', mustHave: false },
    topics: ['anxiety', 'grief'],
    meetingModes: ['video', 'in_person'],
    region: 'US-TX',
    availability: [
      { day: 0, start: '18:00', end: '20:30' },
      { day: 4, start: '22:00', end: '01:00' },
    ],
    hopes: 'Talking to someone who lost a parent and got through the first year.',
    consents: { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion },
    screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false },
    ...overrides,
  };
}

export function validPeer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    firstName: 'Marisol',
    contact: { email: 'marisol.peer@example.org', phone: '+34 612 34 56 78' },
    preferredChannel: 'email',
    locale: 'es',
    timeZone: 'Europe/Madrid',
    languages: ['es', 'en'],
    ageBand: '45_54',
    gender: 'woman',
    topics: ['grief', 'depression'],
    meetingModes: ['phone', 'video'],
    availability: [{ day: 2, start: '09:00', end: '12:00' }],
    recoveryStartedOn: '2015-03-01',
    capacity: 3,
    certified: true,
    bio: 'Lost my brother in 2014; volunteer since 2018.',
    consents: { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion },
    ...overrides,
  };
}

export const imminentScreener = {
  wishToBeDead: true,
  suicidalThoughts: true,
  thoughtsWithMethod: true,
  intentToAct: true,
  planWithIntent: false,
  suicidalBehavior: false,
};
