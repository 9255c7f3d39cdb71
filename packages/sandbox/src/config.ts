import type { SandboxOptions } from './sandbox.js';

/** Thrown at start when an environment variable is unusable; the message names the variable. */
export class SandboxConfigError extends Error {
  override name = 'SandboxConfigError';
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new SandboxConfigError(`${name} must be a TCP port number between 0 and 65535 (got "${raw}").`);
  }
  return Number(raw);
}

function nonNegativeInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new SandboxConfigError(`${name} must be a whole number of milliseconds (got "${raw}").`);
  return Number(raw);
}

/** Reads the sandbox's settings from the environment, once, at start. */
export function sandboxConfigFromEnv(env: NodeJS.ProcessEnv): Readonly<SandboxOptions> {
  // An empty variable counts as unset, the way launchers and compose files pass "nothing".
  const optional = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const authToken = optional('SANDBOX_TWILIO_AUTH_TOKEN') ?? 'sandbox-auth-token';
  if (authToken.trim() === '') throw new SandboxConfigError('SANDBOX_TWILIO_AUTH_TOKEN must not be blank.');
  const dataDir = optional('SANDBOX_DATA_DIR');
  if (dataDir !== undefined && dataDir.trim() === '') throw new SandboxConfigError('SANDBOX_DATA_DIR, when set, must be a directory path.');
  const host = optional('SANDBOX_HOST');
  if (host !== undefined && host.trim() === '') throw new SandboxConfigError('SANDBOX_HOST, when set, must be an interface address such as 127.0.0.1.');
  const smtpPort = port(env, 'SANDBOX_SMTP_PORT', 11025);
  const httpPort = port(env, 'SANDBOX_HTTP_PORT', 18025);
  if (smtpPort === httpPort && smtpPort !== 0) {
    throw new SandboxConfigError(`SANDBOX_SMTP_PORT and SANDBOX_HTTP_PORT must differ (both are ${smtpPort}).`);
  }
  return Object.freeze({
    smtpPort,
    httpPort,
    authToken,
    dataDir,
    host,
    callbackDelayMs: nonNegativeInteger(env, 'SANDBOX_SMS_CALLBACK_DELAY_MS', 0),
  });
}
