import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { cacheDirFrom } from '@kindred/infra-native';

export interface FaultSuiteConfig {
  readonly seed: number;
  readonly loadSeconds: number;
  readonly intakesPerSecond: number;
  readonly peers: number;
  readonly drainSeconds: number;
  readonly providerFaultSeconds: number;
  readonly extraKills: number;
  readonly keepInfra: boolean;
  readonly stateDir: string;
  /** The dedicated instance's ports and state folder (the launcher's variables). */
  readonly infraEnv: Readonly<Record<string, string>>;
  readonly servicePortBase: number;
  readonly runName: string;
  /** Service settings for a run that must settle in minutes: short leases, fast retries, no quiet hours. */
  readonly serviceOverrides: Readonly<Record<string, string>>;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
  return value;
}

function rate(env: NodeJS.ProcessEnv): number {
  const raw = env['FAULT_INTAKES_PER_SECOND'];
  if (raw === undefined || raw === '') return 2;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 50) throw new Error(`FAULT_INTAKES_PER_SECOND=${JSON.stringify(raw)} must be a number above 0, at most 50`);
  return value;
}

/**
 * FAULT_SEED (replay a run), FAULT_LOAD_SECONDS (default 120), FAULT_INTAKES_PER_SECOND (2), FAULT_PEERS (enough
 * capacity for every newcomer, with a third to spare, so that capacity runs out for many peers but never for the
 * program), FAULT_DRAIN_SECONDS (≤ 150), FAULT_PROVIDER_FAULT_SECONDS (15), FAULT_EXTRA_KILLS (2),
 * FAULT_KEEP_INFRA=1 (leave the dedicated instance running for debugging). The defaults fit CI: about five minutes.
 */
export function faultSuiteConfig(env: NodeJS.ProcessEnv): FaultSuiteConfig {
  const loadSeconds = integer(env, 'FAULT_LOAD_SECONDS', 120, 20, 3_600);
  const intakesPerSecond = rate(env);
  const expectedNewcomers = Math.ceil(loadSeconds * intakesPerSecond);
  const stateDir = env['FAULT_STATE_DIR'] !== undefined && env['FAULT_STATE_DIR'] !== '' ? env['FAULT_STATE_DIR'] : join(cacheDirFrom(env), 'faults-state');
  // Ports of their own, so that the shared servers (and anyone's ./kindred up) are never touched.
  const base = integer(env, 'FAULT_INFRA_PORT_BASE', 29_100, 1_024, 65_000);
  return {
    seed: integer(env, 'FAULT_SEED', randomInt(1, 2 ** 31 - 1), 1, 2 ** 31 - 1),
    loadSeconds,
    intakesPerSecond,
    // Capacity averages 1.5 per peer; a third spare covers declines, which keep a slot only while re-proposing.
    peers: integer(env, 'FAULT_PEERS', Math.ceil((expectedNewcomers / 1.5) * 1.33), 2, 100_000),
    drainSeconds: integer(env, 'FAULT_DRAIN_SECONDS', 150, 10, 3_600),
    providerFaultSeconds: integer(env, 'FAULT_PROVIDER_FAULT_SECONDS', 15, 1, 600),
    extraKills: integer(env, 'FAULT_EXTRA_KILLS', 2, 0, 100),
    keepInfra: env['FAULT_KEEP_INFRA'] === '1' || env['FAULT_KEEP_INFRA'] === 'true',
    stateDir,
    infraEnv: {
      KINDRED_STATE_DIR: stateDir,
      KINDRED_KAFKA_PORT: String(base + 92),
      KINDRED_KAFKA_CONTROLLER_PORT: String(base + 93),
      KINDRED_MONGO_PORT: String(base + 17),
      KINDRED_REDIS_PORT: String(base + 79),
      KINDRED_SMTP_PORT: String(base + 25),
      KINDRED_SANDBOX_PORT: String(base + 26),
    },
    servicePortBase: integer(env, 'FAULT_SERVICE_PORT_BASE', 28_180, 1_024, 65_000),
    runName: 'faults',
    serviceOverrides: {
      LOG_LEVEL: 'info',
      // One client sends every intake.
      INTAKE_RATE_LIMIT_PER_MINUTE: '100000',
      INTAKE_RELAY_POLL_MS: '200',
      INTAKE_RELAY_LEASE_MS: '5000',
      MATCHING_BATCH_WINDOW_MS: '500',
      MATCHING_TICK_MS: '2000',
      MATCHING_CLAIM_LEASE_MS: '5000',
      MATCHING_OUTBOX_INTERVAL_MS: '200',
      // Any hour is a sending hour: quiet hours would make jobs wait past the end of the run (they have their own tests).
      NOTIFIER_SENDING_WINDOW: '00:00-24:00',
      EMAIL_MAX_PER_SECOND: '50',
      SMS_MAX_PER_SECOND: '50',
      // Transient provider faults last FAULT_PROVIDER_FAULT_SECONDS: retry often enough to outlast them.
      RETRY_BASE_MS: '500',
      RETRY_MAX_MS: '3000',
      DELIVERY_ATTEMPTS: '40',
      PROVIDER_TIMEOUT_MS: '5000',
      CLAIM_LEASE_MS: '10000',
      JOB_LOCK_MS: '10000',
      JOB_STALLED_CHECK_MS: '5000',
      OUTBOX_POLL_MS: '200',
      NOTIFIER_SWEEP_INTERVAL_MS: '5000',
      NOTIFIER_STUCK_AFTER_MS: '20000',
      NOTIFIER_MAX_DELIVERY_ATTEMPTS: '60',
      NOTIFIER_MAX_SWEEPS: '20',
    },
  };
}
