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
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The environment every local service gets: the servers' addresses plus development settings. */
export function localServiceEnvironment(endpoints: InfraEndpoints): Record<string, string> {
  const secrets = devSecrets();
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    MONGO_URL: endpoints.mongoUrl,
    REDIS_URL: endpoints.redisUrl,
    SMTP_URL: endpoints.smtpUrl ?? '',
    TWILIO_API_BASE_URL: endpoints.sandboxUrl ?? '',
    TWILIO_AUTH_TOKEN: endpoints.twilioAuthToken,
    INTAKE_MASTER_KEY: secrets['masterKey'] ?? '',
    INTAKE_BLIND_INDEX_KEY: secrets['blindIndexKey'] ?? '',
    INTAKE_DIRECTORY_TOKEN: secrets['directoryToken'] ?? '',
    INTAKE_PRIVACY_ADMIN_TOKEN: secrets['privacyAdminToken'] ?? '',
    MATCHING_COORDINATOR_TOKENS: JSON.stringify({ [secrets['coordinatorToken'] ?? '']: { actor: 'console', role: 'coordinator' } }),
    MATCHING_SERVICE_TOKEN: secrets['coordinatorToken'] ?? '',
    CONSOLE_SESSION_SECRET: secrets['consoleSessionSecret'] ?? '',
    MATCHING_GRPC_ADDR: '127.0.0.1:50051',
    INTAKE_GRPC_ADDR: '127.0.0.1:50052',
    LOG_LEVEL: 'info',
  };
}
