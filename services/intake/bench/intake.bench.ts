// Throughput and latency of the intake JSON API against the real servers, beside the raw MongoDB driver's insert
// rate to the same server in the same run. `pnpm --filter @kindred/intake bench [requests] [concurrency]`.
// Uses KAFKA_BROKERS and MONGO_URL when set, else starts (or finds) the native infrastructure. BENCH_RELAY=off
// leaves the outbox relay stopped during the run (it then drains afterwards), to see the API without its competition.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { createLogger, loadConfig } from '@kindred/platform';
import { intakeConfigSchema, startIntake } from '@kindred/intake';

const requests = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 16);
const warmup = 100;

async function servers(): Promise<{ kafkaBrokers: string; mongoUrl: string }> {
  const kafkaBrokers = process.env['KAFKA_BROKERS'];
  const mongoUrl = process.env['MONGO_URL'];
  if (kafkaBrokers && mongoUrl) return { kafkaBrokers, mongoUrl };
  const native = await import('@kindred/infra-native');
  const endpoints = await native.infraUp({ log: () => undefined });
  return { kafkaBrokers: endpoints.kafkaBrokers, mongoUrl: endpoints.mongoUrl };
}

function payload(i: number) {
  return {
    firstName: `Bench${i}`,
    contact: { email: `bench${i}@example.org`, phone: '+1 201 555 0123' },
    preferredChannel: 'sms',
    timeZone: 'America/Chicago',
    languages: ['en', 'es'],
    ageBand: '25_34',
    gender: 'woman',
    genderPreference: { kind: 'none', mustHave: false },
    topics: ['anxiety', 'grief'],
    meetingModes: ['video'],
    availability: [{ day: 0, start: '18:00', end: '20:30' }, { day: 4, start: '22:00', end: '01:00' }],
    hopes: 'Talking to someone who has been there.',
    consents: { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion: '2026-01' },
    screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false },
  };
}

/** Runs `count` operations with `parallel` in flight; returns the elapsed seconds and each operation's latency (ms). */
async function drive(count: number, parallel: number, op: (i: number) => Promise<void>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function run(): Promise<void> {
  const { kafkaBrokers, mongoUrl } = await servers();
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `intake_bench_${suffix}`;
  const config = loadConfig('intake', intakeConfigSchema, {
    INTAKE_HTTP_PORT: '0',
    INTAKE_GRPC_PORT: '0',
    INTAKE_GRPC_HOST: '127.0.0.1',
    MONGO_URL: mongoUrl,
    INTAKE_DB_NAME: dbName,
    KAFKA_BROKERS: kafkaBrokers,
    INTAKE_MASTER_KEY: randomBytes(32).toString('hex'),
    INTAKE_BLIND_INDEX_KEY: randomBytes(32).toString('hex'),
    INTAKE_DIRECTORY_TOKEN: randomBytes(24).toString('base64url'),
    INTAKE_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    INTAKE_NEWCOMERS_TOPIC: `bench_newcomers_${suffix}`,
    INTAKE_PEERS_TOPIC: `bench_peers_${suffix}`,
    INTAKE_ERASURES_TOPIC: `bench_erasures_${suffix}`,
    INTAKE_RATE_LIMIT_PER_MINUTE: String(requests * 10),
  });
  const app = await startIntake({ config, log: createLogger({ service: 'intake-bench', level: 'warn' }), hooks: { startRelay: process.env['BENCH_RELAY'] !== 'off' } });
  const client = new MongoClient(mongoUrl);
  await client.connect();
  const db = client.db(dbName);
  try {
    const post = async (i: number) => {
      const res = await fetch(`${app.url}/v1/intakes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload(i)) });
      if (res.status !== 201) throw new Error(`request ${i} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    await drive(warmup, concurrency, post);
    const api = await drive(requests, concurrency, (i) => post(warmup + i));
    const sorted = [...api.latencies].sort((a, b) => a - b);
    const publishStart = performance.now();
    await app.relay.drain();
    const drainSeconds = (performance.now() - publishStart) / 1000;

    // The same server, the same run: the plain driver inserting documents of the size intake stores.
    const sample = await db.collection('newcomers').findOne({});
    const { _id: _ignored, ...template } = sample ?? {};
    const raw = db.collection('raw_inserts');
    await drive(warmup, concurrency, async () => {
      await raw.insertOne({ ...template });
    });
    const driver = await drive(requests, concurrency, async () => {
      await raw.insertOne({ ...template });
    });

    const apiRate = requests / api.seconds;
    const driverRate = requests / driver.seconds;
    console.log(`intake JSON API, ${requests} requests, concurrency ${concurrency}`);
    console.log(`  accepted intakes/s: ${apiRate.toFixed(0)}`);
    console.log(`  latency p50: ${percentile(sorted, 50).toFixed(1)} ms, p99: ${percentile(sorted, 99).toFixed(1)} ms`);
    console.log(`  outbox drain after the run: ${drainSeconds.toFixed(2)} s`);
    console.log(`raw mongodb driver insertOne, same server, same document size`);
    console.log(`  inserts/s: ${driverRate.toFixed(0)}`);
    console.log(`ratio API / raw driver: ${(apiRate / driverRate).toFixed(2)}`);
  } finally {
    await app.stop();
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

await run();
process.exit(0);
