import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { probeHttpHealth } from './health-probes.js';
import { REPO_ROOT, SANDBOX_TWILIO_AUTH_TOKEN, type InfraConfig } from './infra-config.js';
import type { ServerDefinition } from './server-definition.js';

export const SANDBOX_MAIN = 'packages/sandbox/src/main.ts';

/** The SMTP capture + Twilio-like SMS sandbox from packages/sandbox, run from source with tsx. */
export function sandboxServer(config: InfraConfig): ServerDefinition {
  const { smtp, sandbox } = config.ports;
  const address = `127.0.0.1:${sandbox.port}`;
  return {
    name: 'sandbox',
    ports: [smtp, sandbox],
    address,
    readyTimeoutMs: 30_000,
    unavailableReason: () =>
      existsSync(join(REPO_ROOT, SANDBOX_MAIN))
        ? null
        : `${SANDBOX_MAIN} does not exist yet, so there is no SMTP capture or SMS sandbox`,
    prepare() {
      const dataDir = join(config.stateDir, 'sandbox', 'data');
      mkdirSync(dataDir, { recursive: true });
      return Promise.resolve({
        command: process.execPath,
        args: ['--import', 'tsx', SANDBOX_MAIN],
        cwd: REPO_ROOT,
        env: {
          ...config.env,
          SANDBOX_SMTP_PORT: String(smtp.port),
          SANDBOX_HTTP_PORT: String(sandbox.port),
          SANDBOX_DATA_DIR: dataDir,
          SANDBOX_TWILIO_AUTH_TOKEN,
        },
        identity: { cmdlineIncludes: [SANDBOX_MAIN], cwd: REPO_ROOT },
        description: 'kindred sandbox',
      });
    },
    probe: (timeoutMs) => probeHttpHealth(`http://${address}/healthz`, timeoutMs),
  };
}
