import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from './infra-error.js';

/**
 * The newest Kafka that kafkajs 2.2.4 was proven against here (produce, consume in a group, commit);
 * see deploy/native/README.md.
 */
export const DEFAULT_KAFKA_VERSION = '4.4.0';
export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
/** Fixed development token: the sandbox signs its Twilio-style callbacks with it. Not a secret. */
export const SANDBOX_TWILIO_AUTH_TOKEN = 'sandbox-auth-token';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const NATIVE_DIR = join(REPO_ROOT, 'deploy/native');

export interface PortSetting {
  readonly port: number;
  /** The environment variable that moves this port, named in every port error. */
  readonly envVar: string;
}

export interface InfraPorts {
  readonly kafka: PortSetting;
  readonly kafkaController: PortSetting;
  readonly mongo: PortSetting;
  readonly redis: PortSetting;
  readonly smtp: PortSetting;
  readonly sandbox: PortSetting;
}

export interface InfraConfig {
  /** Downloaded artifacts (jars): shared by every instance on this machine. */
  readonly cacheDir: string;
  /** One instance's data, logs, pid files and infra.json: `KINDRED_STATE_DIR`, else `<cache>/state`. */
  readonly stateDir: string;
  readonly kafkaVersion: string;
  readonly ports: InfraPorts;
  /** The environment handed to tools and servers (PATH decides which java/go/mvn/redis-server run). */
  readonly env: NodeJS.ProcessEnv;
}

function portFrom(env: NodeJS.ProcessEnv, envVar: string, fallback: number): PortSetting {
  const raw = env[envVar];
  if (raw === undefined || raw === '') return { port: fallback, envVar };
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InfraError('INFRA.BAD_CONFIG', `${envVar}=${JSON.stringify(raw)} is not a TCP port (an integer 1-65535)`);
  }
  return { port, envVar };
}

export function cacheDirFrom(env: NodeJS.ProcessEnv): string {
  const explicit = env['KINDRED_CACHE'];
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : join(env['HOME'] ?? homedir(), '.cache');
  return resolve(base, 'kindred');
}

export function resolveInfraConfig(env: NodeJS.ProcessEnv = process.env): InfraConfig {
  const cacheDir = cacheDirFrom(env);
  const kafka = portFrom(env, 'KINDRED_KAFKA_PORT', 19092);
  const kafkaVersion = env['KINDRED_KAFKA_VERSION'] ?? DEFAULT_KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(kafkaVersion)) {
    throw new InfraError('INFRA.BAD_CONFIG', `KINDRED_KAFKA_VERSION=${JSON.stringify(kafkaVersion)} is not a version like 4.1.1`);
  }
  const ports: InfraPorts = {
    kafka,
    kafkaController: portFrom(env, 'KINDRED_KAFKA_CONTROLLER_PORT', kafka.port + 1),
    mongo: portFrom(env, 'KINDRED_MONGO_PORT', 27117),
    redis: portFrom(env, 'KINDRED_REDIS_PORT', 16379),
    smtp: portFrom(env, 'KINDRED_SMTP_PORT', 11025),
    sandbox: portFrom(env, 'KINDRED_SANDBOX_PORT', 18025),
  };
  const seen = new Map<number, string>();
  const all: PortSetting[] = [ports.kafka, ports.kafkaController, ports.mongo, ports.redis, ports.smtp, ports.sandbox];
  for (const { port, envVar } of all) {
    const other = seen.get(port);
    if (other !== undefined) {
      throw new InfraError('INFRA.BAD_CONFIG', `${envVar} and ${other} both ask for port ${port}`);
    }
    seen.set(port, envVar);
  }
  const stateOverride = env['KINDRED_STATE_DIR'];
  const stateDir = stateOverride !== undefined && stateOverride !== '' ? resolve(stateOverride) : join(cacheDir, 'state');
  return { cacheDir, stateDir, kafkaVersion, ports, env };
}
