import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kindred/platform';
import { intakeConfigSchema } from '../../src/config.js';

const key = () => randomBytes(32).toString('hex');
const base = () => ({
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  KAFKA_BROKERS: '127.0.0.1:9092',
  INTAKE_MASTER_KEY: key(),
  INTAKE_BLIND_INDEX_KEY: key(),
  INTAKE_DIRECTORY_TOKEN: 'directory-token-0123456789abcdef',
  INTAKE_ADMIN_TOKEN: 'admin-token-0123456789abcdef-xyz',
});

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig('intake', intakeConfigSchema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.variables];
    throw error;
  }
}

describe('intake configuration', () => {
  it('accepts a complete environment with defaults for the rest', () => {
    const config = loadConfig('intake', intakeConfigSchema, base());
    expect(config.INTAKE_MASTER_KEY).toHaveLength(32);
    expect(config.INTAKE_NEWCOMERS_TOPIC).toBe('kindred.intake.newcomers.v1');
    expect(config.INTAKE_NOTICE_VERSIONS).toEqual(['2026-01']);
    expect(config.INTAKE_CRISIS_RESOURCES_JSON['US']?.lines[0]?.call).toBe('988');
  });

  it('names a missing or short master key', () => {
    expect(problemsOf({ ...base(), INTAKE_MASTER_KEY: undefined })).toEqual(['INTAKE_MASTER_KEY']);
    expect(problemsOf({ ...base(), INTAKE_MASTER_KEY: 'abcd' })).toEqual(['INTAKE_MASTER_KEY']);
  });

  it('refuses the same key for encryption and the blind index, and the same token for both services', () => {
    const k = key();
    expect(problemsOf({ ...base(), INTAKE_MASTER_KEY: k, INTAKE_BLIND_INDEX_KEY: k })).toEqual(['INTAKE_BLIND_INDEX_KEY']);
    expect(problemsOf({ ...base(), INTAKE_ADMIN_TOKEN: 'directory-token-0123456789abcdef' })).toEqual(['INTAKE_ADMIN_TOKEN']);
  });

  it('requires crisis resources for the program country, and accepts a country added by JSON', () => {
    expect(problemsOf({ ...base(), INTAKE_CRISIS_COUNTRY: 'NZ' })).toEqual(['INTAKE_CRISIS_COUNTRY']);
    const config = loadConfig('intake', intakeConfigSchema, {
      ...base(),
      INTAKE_CRISIS_COUNTRY: 'NZ',
      INTAKE_CRISIS_RESOURCES_JSON: JSON.stringify({ NZ: { country: 'NZ', emergencyNumber: '111', lines: [{ name: 'Need to talk?', call: '1737', text: '1737' }] } }),
    });
    expect(config.INTAKE_CRISIS_RESOURCES_JSON['NZ']?.emergencyNumber).toBe('111');
    expect(problemsOf({ ...base(), INTAKE_CRISIS_RESOURCES_JSON: '{"NZ": {"country": "NZ"}}' })).toEqual(['INTAKE_CRISIS_RESOURCES_JSON']);
  });

  it('checks topic names', () => {
    expect(problemsOf({ ...base(), INTAKE_NEWCOMERS_TOPIC: 'bad topic name' })).toEqual(['INTAKE_NEWCOMERS_TOPIC']);
  });
});
