import { execFile } from 'node:child_process';

export type InfraMode = 'native' | 'docker' | 'external';

const externalVariables = ['KAFKA_BROKERS', 'MONGO_URL', 'REDIS_URL', 'SMTP_URL'] as const;

function dockerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 }, (error, stdout) =>
      resolve(!error && stdout.trim().length > 0),
    );
  });
}

/**
 * The mode tests (and `./kindred`) use: KINDRED_INFRA if set; external when every server address is given;
 * Docker (Testcontainers) when a Docker engine answers; otherwise native, the repo's own launcher.
 */
export async function chooseInfraMode(env: Readonly<Record<string, string | undefined>> = process.env): Promise<InfraMode> {
  const forced = env['KINDRED_INFRA'];
  if (forced !== undefined && forced !== '') {
    if (forced === 'native' || forced === 'docker' || forced === 'external') return forced;
    throw new Error(`KINDRED_INFRA must be native, docker or external (got "${forced}")`);
  }
  if (externalVariables.every((name) => (env[name] ?? '') !== '')) return 'external';
  return (await dockerAnswers()) ? 'docker' : 'native';
}

export function missingExternalVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  return externalVariables.filter((name) => (env[name] ?? '') === '');
}
