import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { consoleConfigSchema } from '@kindred/console';
import { intakeConfigSchema } from '@kindred/intake';
import { matchingConfigSchema } from '@kindred/matching';
import { notifierConfigSchema } from '@kindred/notifier';
import { repoRoot } from './k8s-manifests.js';

// deploy/docker-compose.yml cannot run here (no Docker engine), but what it hands each service can be checked:
// the environment, with ${VAR:-default} taken at its default, must pass the service's own config schema.

interface ComposeFile {
  readonly services: Record<string, { readonly environment?: Record<string, unknown> }>;
}

const compose = parse(readFileSync(`${repoRoot}deploy/docker-compose.yml`, 'utf8'), { merge: true }) as ComposeFile;

function environmentOf(service: string): Record<string, string> {
  const environment = compose.services[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')]));
}

describe('the docker compose file', () => {
  it.each([
    ['intake', intakeConfigSchema],
    ['matching', matchingConfigSchema],
    ['notifier', notifierConfigSchema],
    ['console', consoleConfigSchema],
  ] as const)('gives %s an environment its config schema accepts', (service, schema) => {
    const result = schema.safeParse(environmentOf(service));
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`)).toEqual([]);
  });

  it("points the notifier at intake's gRPC port and the console at matching's", () => {
    const intake = intakeConfigSchema.parse(environmentOf('intake'));
    const matching = matchingConfigSchema.parse(environmentOf('matching'));
    expect(environmentOf('notifier')['INTAKE_GRPC_ADDR']).toBe(`intake:${intake.INTAKE_GRPC_PORT}`);
    expect(environmentOf('console')['MATCHING_GRPC_ADDR']).toBe(`matching:${matching.MATCHING_GRPC_PORT}`);
  });
});
