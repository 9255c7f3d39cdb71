import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InfraEndpoints } from '@kindred/infra-native';

export interface LocalService {
  readonly name: 'intake' | 'matching' | 'notifier' | 'console';
  /** Where /healthz answers, and what a person opens. */
  readonly url: string;
}

/**
 * Where a local run listens and what it is called. The defaults are the README's ports; KINDRED_PORT_BASE moves
 * every service (console at the base, intake +1, matching +2, notifier +3, gRPC +11/+12) and KINDRED_RUN_NAME gives
 * the run databases, topics, queues and a state folder of its own, so a second run (a test, say) never touches the
 * first one's data.
 */
export interface LocalLayout {
  readonly services: readonly LocalService[];
  readonly intakeGrpcPort: number;
  readonly matchingGrpcPort: number;
  /** '' for the default run. */
  readonly name: string;
}

export function localLayout(env: Readonly<Record<string, string | undefined>> = process.env): LocalLayout {
  const baseText = env['KINDRED_PORT_BASE'] ?? '8080';
  const base = Number(baseText);
  if (!Number.isInteger(base) || base < 1024 || base > 65_000) throw new Error(`KINDRED_PORT_BASE must be a port between 1024 and 65000 (got "${baseText}")`);
  const name = env['KINDRED_RUN_NAME'] ?? '';
  if (!/^[a-z0-9_]{0,40}$/.test(name)) throw new Error(`KINDRED_RUN_NAME must be lower-case letters, digits or _ (got "${name}")`);
  const at = (offset: number) => `http://127.0.0.1:${base + offset}`;
  return {
    services: [
      { name: 'intake', url: at(1) },
      { name: 'matching', url: at(2) },
      { name: 'notifier', url: at(3) },
      { name: 'console', url: at(0) },
    ],
    intakeGrpcPort: base === 8080 ? 9081 : base + 11,
    matchingGrpcPort: base === 8080 ? 50051 : base + 12,
    name,
  };
}

export function serviceUrl(layout: LocalLayout, name: LocalService['name']): string {
  const service = layout.services.find((s) => s.name === name);
  if (!service) throw new Error(`no local service ${name}`);
  return service.url;
}

/**
 * Development secrets, made once per machine and kept in the cache (never in the repo), so a restart can still
 * decrypt what the last run stored.
 */
function devSecrets(): Record<string, string> {
  const cache = process.env['KINDRED_CACHE'] ?? join(process.env['HOME'] ?? '/tmp', '.cache', 'kindred');
  const file = join(cache, 'state', 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const secrets = {
    masterKey: randomBytes(32).toString('hex'),
    blindIndexKey: randomBytes(32).toString('hex'),
    directoryToken: randomBytes(24).toString('hex'),
    privacyAdminToken: randomBytes(24).toString('hex'),
    coordinatorToken: randomBytes(24).toString('hex'),
    consoleSessionSecret: randomBytes(32).toString('hex'),
    notifierAdminToken: randomBytes(24).toString('hex'),
    consolePassword: randomBytes(9).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The demo console accounts' password on this machine. */
export function demoPassword(): string {
  const value = devSecrets()['consolePassword'];
  if (value === undefined) throw new Error('dev secret consolePassword missing from the cache; delete state/dev-secrets.json to make new ones');
  return value;
}

/** The environment every local service gets: the servers' addresses plus development settings. */
export function localServiceEnvironment(endpoints: InfraEndpoints, layout: LocalLayout): Record<string, string> {
  const secrets = devSecrets();
  const secret = (name: string): string => {
    const value = secrets[name];
    if (value === undefined) throw new Error(`dev secret ${name} missing from the cache; delete state/dev-secrets.json to make new ones`);
    return value;
  };
  const port = (name: LocalService['name']) => new URL(serviceUrl(layout, name)).port;
  const n = layout.name;
  const topic = (t: string) => (n === '' ? t : `${n}.${t}`);
  return {
    INTAKE_HTTP_PORT: port('intake'),
    INTAKE_GRPC_PORT: String(layout.intakeGrpcPort),
    MATCHING_HTTP_PORT: port('matching'),
    MATCHING_GRPC_PORT: String(layout.matchingGrpcPort),
    NOTIFIER_HTTP_PORT: port('notifier'),
    CONSOLE_HTTP_PORT: port('console'),
    INTAKE_DB_NAME: n === '' ? 'kindred_intake' : `kindred_${n}_intake`,
    MATCHING_DB_NAME: n === '' ? 'kindred_matching' : `kindred_${n}_matching`,
    NOTIFIER_DB_NAME: n === '' ? 'kindred_notifier' : `kindred_${n}_notifier`,
    INTAKE_NEWCOMERS_TOPIC: topic('kindred.intake.newcomers.v1'),
    INTAKE_PEERS_TOPIC: topic('kindred.intake.peers.v1'),
    INTAKE_ERASURES_TOPIC: topic('kindred.privacy.erasures.v1'),
    MATCHING_TOPIC_NAMESPACE: n,
    MATCHING_GROUP_ID: n === '' ? 'kindred-matching' : `kindred-matching-${n}`,
    NOTIFIER_MATCHES_TOPIC: topic('kindred.matching.matches.v1'),
    NOTIFIER_DELIVERIES_TOPIC: topic('kindred.notify.deliveries.v1'),
    NOTIFIER_KAFKA_GROUP: n === '' ? 'kindred-notifier' : `kindred-notifier-${n}`,
    NOTIFIER_QUEUE_PREFIX: n === '' ? 'kindred' : `kindred_${n}`,
    CONSOLE_REDIS_PREFIX: n === '' ? 'kindred:console:' : `kindred:${n}:console:`,
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    MONGO_URL: endpoints.mongoUrl,
    REDIS_URL: endpoints.redisUrl,
    SMTP_URL: endpoints.smtpUrl ?? '',
    LOG_LEVEL: 'info',
    // intake
    INTAKE_MASTER_KEY: secret('masterKey'),
    INTAKE_BLIND_INDEX_KEY: secret('blindIndexKey'),
    INTAKE_DIRECTORY_TOKEN: secret('directoryToken'),
    INTAKE_ADMIN_TOKEN: secret('privacyAdminToken'),
    // The demo loader posts a few hundred people from this machine's one address within a minute; the default (30
    // per minute per client) is meant for a public form and would stretch the first start to ten minutes.
    INTAKE_RATE_LIMIT_PER_MINUTE: '3000',
    // matching
    MATCHING_COORDINATOR_TOKENS: JSON.stringify({ [secret('coordinatorToken')]: { actor: 'console', role: 'coordinator', delegates: true } }),
    // notifier: SMS goes to the local sandbox, which signs its callbacks with its own token
    INTAKE_GRPC_ADDR: `127.0.0.1:${layout.intakeGrpcPort}`,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: endpoints.twilioAuthToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: endpoints.sandboxUrl ?? '',
    NOTIFIER_COORDINATOR_TOKEN: secret('notifierAdminToken'),
    // console
    MATCHING_GRPC_ADDR: `127.0.0.1:${layout.matchingGrpcPort}`,
    MATCHING_SERVICE_TOKEN: secret('coordinatorToken'),
    CONSOLE_SESSION_SECRET: secret('consoleSessionSecret'),
    // Plain http on this machine only; keep secure cookies everywhere else.
    CONSOLE_COOKIE_SECURE: 'false',
  };
}
