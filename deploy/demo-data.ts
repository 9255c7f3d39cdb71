/**
 * Demo data for `./kindred up`: peers and newcomers entered through the intake service's public JSON API, exactly
 * as people would (so they are screened, encrypted, and flow through Kafka to matching). Each request carries an
 * Idempotency-Key, so starting Kindred again adds nothing twice. All addresses are example.org and numbers are
 * fictional 555 numbers; the mail and SMS they receive land in the local sandbox.
 */
import { Redis } from 'ioredis';
import { consoleAccounts, consoleConfigSchema } from '@kindred/console';
import { loadConfig } from '@kindred/platform';

const noticeVersion = '2026-01';

const consents = (sms: boolean) => ({ contactByEmail: true, contactBySms: sms, shareFirstName: true, shareTopics: true, noticeVersion });
const week = (start: string, end: string) => [0, 1, 2, 3, 4].map((day) => ({ day, start, end }));

const peers = [
  { firstName: 'Marisol', locale: 'es', languages: ['es', 'en'], timeZone: 'America/Chicago', gender: 'woman', ageBand: '45_54', topics: ['grief', 'depression'], recoveryStartedOn: '2014-03-01', capacity: 3 },
  { firstName: 'Dev', locale: 'en', languages: ['en'], timeZone: 'America/New_York', gender: 'man', ageBand: '35_44', topics: ['anxiety', 'substance_use'], recoveryStartedOn: '2016-09-15', capacity: 2 },
  { firstName: 'Aisha', locale: 'en', languages: ['en'], timeZone: 'America/Los_Angeles', gender: 'woman', ageBand: '25_34', topics: ['anxiety', 'postpartum'], recoveryStartedOn: '2019-01-10', capacity: 2 },
  { firstName: 'Tomás', locale: 'es', languages: ['es'], timeZone: 'America/Mexico_City', gender: 'man', ageBand: '55_64', topics: ['grief', 'trauma_ptsd'], recoveryStartedOn: '2010-06-01', capacity: 4 },
  { firstName: 'Sam', locale: 'en', languages: ['en'], timeZone: 'America/Denver', gender: 'nonbinary', ageBand: '25_34', topics: ['identity_stress', 'depression'], recoveryStartedOn: '2018-04-20', capacity: 2 },
  { firstName: 'Grace', locale: 'en', languages: ['en', 'es'], timeZone: 'America/Chicago', gender: 'woman', ageBand: '65_plus', topics: ['bipolar', 'depression'], recoveryStartedOn: '2005-11-11', capacity: 1 },
].map((peer, index) => ({
  ...peer,
  contact: { email: `peer${index + 1}@example.org`, phone: `+1 201 555 01${String(10 + index)}` },
  preferredChannel: 'email',
  meetingModes: ['phone', 'video'],
  availability: week('17:00', '21:00'),
  certified: true,
  consents: consents(true),
}));

const newcomers = [
  { firstName: 'Alex', locale: 'en', languages: ['en'], timeZone: 'America/Chicago', gender: 'woman', ageBand: '25_34', topics: ['anxiety', 'grief'], screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false } },
  { firstName: 'Lucía', locale: 'es', languages: ['es'], timeZone: 'America/Mexico_City', gender: 'woman', ageBand: '35_44', topics: ['grief'], screener: { wishToBeDead: true, suicidalThoughts: false, suicidalBehavior: false } },
  { firstName: 'Jordan', locale: 'en', languages: ['en'], timeZone: 'America/New_York', gender: 'man', ageBand: '18_24', topics: ['substance_use'], screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false } },
  { firstName: 'Riley', locale: 'en', languages: ['en'], timeZone: 'America/Denver', gender: 'nonbinary', ageBand: '18_24', topics: ['identity_stress'], screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false } },
  // Screens as imminent risk: shown crisis resources at once, urgent for coordinators, never matched automatically.
  { firstName: 'Casey', locale: 'en', languages: ['en'], timeZone: 'America/Chicago', gender: 'man', ageBand: '35_44', topics: ['depression'], screener: { wishToBeDead: true, suicidalThoughts: true, thoughtsWithMethod: true, intentToAct: true, planWithIntent: true, suicidalBehavior: false } },
].map((newcomer, index) => ({
  ...newcomer,
  contact: { email: `newcomer${index + 1}@example.org`, phone: `+1 201 555 02${String(10 + index)}` },
  preferredChannel: 'sms',
  genderPreference: { kind: 'none', mustHave: false },
  meetingModes: ['phone', 'video'],
  availability: week('18:00', '20:00'),
  consents: consents(true),
}));

async function post(url: string, key: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  if (response.status >= 400) {
    throw new Error(`demo data: POST ${new URL(url).pathname} answered ${response.status}: ${await response.text()}`);
  }
  return response.status;
}

/** Loads the demo data through the intake API at `intakeUrl`; returns lines to print. */
export async function loadDemoData(intakeUrl: string): Promise<string[]> {
  for (const [index, peer] of peers.entries()) await post(`${intakeUrl}/v1/peers`, `demo-peer-${index + 1}`, peer);
  for (const [index, newcomer] of newcomers.entries()) await post(`${intakeUrl}/v1/intakes`, `demo-newcomer-${index + 1}`, newcomer);
  return [`demo data: ${peers.length} peers and ${newcomers.length} newcomers (one urgent) entered through the intake API`];
}

/**
 * Console accounts for trying Kindred on this machine: a coordinator and an admin, with the password made once per
 * machine (kept in the cache with the other development secrets). Created only when missing.
 */
export async function ensureDemoAccounts(env: Record<string, string>, password: string): Promise<string[]> {
  const config = loadConfig('console', consoleConfigSchema, env);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    const { accounts, repository } = consoleAccounts(redis, config);
    for (const [username, roles] of [['coordinator', ['coordinator']], ['admin', ['admin']]] as const) {
      if ((await repository.findByUsername(username)) === undefined) await accounts.create({ username, password, roles });
    }
    return [`console sign-in: "coordinator" or "admin", password ${password}`];
  } finally {
    redis.disconnect();
  }
}
