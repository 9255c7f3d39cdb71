import type { TestProject } from 'vitest/node';
import type { TestInfra } from '@kindred/testkit';
import { chooseInfraMode, missingExternalVariables } from './infra-mode.js';

/**
 * Starts (or finds) the real servers once for the whole run and hands their addresses to every test file.
 * Each file then takes its own topics, database and Redis prefix (testkit's uniqueName).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = await chooseInfraMode();
  const cleanups: (() => Promise<void>)[] = [];
  let infra: TestInfra;

  if (mode === 'external') {
    const missing = missingExternalVariables(process.env);
    if (missing.length > 0) throw new Error(`KINDRED_INFRA=external needs ${missing.join(', ')}`);
    infra = {
      mode,
      kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
      mongoUrl: process.env['MONGO_URL'] ?? '',
      redisUrl: process.env['REDIS_URL'] ?? '',
      smtpUrl: process.env['SMTP_URL'] ?? '',
      sandboxUrl: process.env['SANDBOX_URL'],
      twilioAuthToken: process.env['SANDBOX_TWILIO_AUTH_TOKEN'] ?? 'sandbox-auth-token',
    };
  } else if (mode === 'docker') {
    const { startContainers } = await import('./containers.js'); // loaded only where a Docker engine answers
    const started = await startContainers();
    cleanups.push(started.stop);
    infra = started.infra;
  } else {
    const native = await import('@kindred/infra-native');
    // Idempotent: `./kindred test` has normally started everything already, and this only checks it answers.
    const endpoints = await native.infraUp({ requireSandbox: true, log: () => undefined });
    if (endpoints.smtpUrl === null || endpoints.sandboxUrl === null) throw new Error('the SMTP/SMS sandbox is not running');
    // The native servers live on between runs: remove what runs older than two hours left behind.
    const { removeStaleTestResources } = await import('@kindred/testkit');
    await removeStaleTestResources({ kafkaBrokers: endpoints.kafkaBrokers.split(','), mongoUrl: endpoints.mongoUrl, redisUrl: endpoints.redisUrl }, 2 * 3_600_000);
    infra = {
      mode,
      kafkaBrokers: endpoints.kafkaBrokers.split(','),
      mongoUrl: endpoints.mongoUrl,
      redisUrl: endpoints.redisUrl,
      smtpUrl: endpoints.smtpUrl,
      sandboxUrl: endpoints.sandboxUrl,
      twilioAuthToken: endpoints.twilioAuthToken,
    };
  }

  project.provide('infra', infra);
  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
