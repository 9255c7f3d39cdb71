import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InfraEndpoints } from '@kindred/infra-native';

export interface LocalService {
  readonly name: 'intake' | 'matching' | 'notifier' | 'console';
  /** Where /healthz answers. */
  readonly opsUrl: string;
  /** What a person opens. */
  readonly publicUrl: string;
}

export const localServices: readonly LocalService[] = [
  { name: 'intake', opsUrl: 'http://127.0.0.1:8081', publicUrl: 'http://127.0.0.1:8081' },
  { name: 'matching', opsUrl: 'http://127.0.0.1:8082', publicUrl: 'http://127.0.0.1:8082' },
  { name: 'notifier', opsUrl: 'http://127.0.0.1:8083', publicUrl: 'http://127.0.0.1:8083' },
  { name: 'console', opsUrl: 'http://127.0.0.1:8080', publicUrl: 'http://127.0.0.1:8080' },
];

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
export function localServiceEnvironment(endpoints: InfraEndpoints): Record<string, string> {
  const secrets = devSecrets();
  const secret = (name: string): string => {
    const value = secrets[name];
    if (value === undefined) throw new Error(`dev secret ${name} missing from the cache; delete state/dev-secrets.json to make new ones`);
    return value;
  };
  return {
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
    // matching
    MATCHING_COORDINATOR_TOKENS: JSON.stringify({ [secret('coordinatorToken')]: { actor: 'console', role: 'coordinator', delegates: true } }),
    // notifier: SMS goes to the local sandbox, which signs its callbacks with its own token
    INTAKE_GRPC_ADDR: '127.0.0.1:9081',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: endpoints.twilioAuthToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: endpoints.sandboxUrl ?? '',
    NOTIFIER_COORDINATOR_TOKEN: secret('notifierAdminToken'),
    // console
    MATCHING_GRPC_ADDR: '127.0.0.1:50051',
    MATCHING_SERVICE_TOKEN: secret('coordinatorToken'),
    CONSOLE_SESSION_SECRET: secret('consoleSessionSecret'),
    // Plain http on this machine only; keep secure cookies everywhere else.
    CONSOLE_COOKIE_SECURE: 'false',
  };
}
