/**
 * The two people of a plain journey, with addresses unique to one test run: Marisol, a bilingual peer who reads in
 * Spanish and takes email and SMS, and Alex, an English-speaking newcomer who shares grief and consents to email only.
 */
export function journeyPeople(prefix: string, run: string) {
  const noticeVersion = '2026-01';
  const evenings = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '18:00', end: '21:00' }));
  const peerPhone = `+1201555${String(1000 + (parseInt(run, 16) % 8999)).padStart(4, '0')}`;
  const peer = {
    firstName: 'Marisol',
    contact: { email: `${prefix}peer-${run}@example.org`, phone: peerPhone },
    preferredChannel: 'email',
    locale: 'es',
    timeZone: 'America/Chicago',
    languages: ['es', 'en'],
    ageBand: '45_54',
    gender: 'woman',
    topics: ['grief', 'anxiety'],
    meetingModes: ['phone', 'video'],
    availability: evenings,
    recoveryStartedOn: '2012-03-01',
    capacity: 2,
    certified: true,
    consents: { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion },
  };
  const newcomer = {
    firstName: 'Alex',
    contact: { email: `${prefix}newcomer-${run}@example.org` },
    preferredChannel: 'email',
    locale: 'en',
    timeZone: 'America/Chicago',
    languages: ['en'],
    ageBand: '25_34',
    gender: 'woman',
    genderPreference: { kind: 'none', mustHave: false },
    topics: ['grief'],
    meetingModes: ['video'],
    availability: evenings,
    consents: { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion },
    screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false },
  };
  return { peer, newcomer, peerPhone };
}
