import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kindred/platform';
import { notifierConfigSchema } from '../../src/config.js';

const valid = {
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  INTAKE_GRPC_ADDR: '127.0.0.1:50052',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'a-token-of-enough-length',
  TWILIO_FROM: '+15005550006',
  NOTIFIER_COORDINATOR_TOKEN: 'coordinator-token-0123456789',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig('notifier', notifierConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('notifier configuration', () => {
  it('accepts a complete environment with the documented defaults', () => {
    const config = loadConfig('notifier', notifierConfigSchema, valid);
    expect(config.NOTIFIER_SENDING_WINDOW).toEqual({ startMinute: 8 * 60, endMinute: 21 * 60 });
    expect(config.NOTIFIER_MATCHES_TOPIC).toBe('kindred.matching.matches.v1');
    expect(config.NOTIFIER_DELIVERIES_TOPIC).toBe('kindred.notify.deliveries.v1');
    expect(config.NOTIFIER_MODE).toBe('all');
    expect(config.NOTIFIER_SWEEP_INTERVAL_MS).toBe(30_000);
    expect(config.NOTIFIER_STUCK_AFTER_MS).toBe(120_000);
  });

  it('names a sweeper setting that is not a positive whole number', () => {
    const message = problemsOf({ ...valid, NOTIFIER_SWEEP_INTERVAL_MS: '0', NOTIFIER_STUCK_AFTER_MS: 'soon', NOTIFIER_MAX_DELIVERY_ATTEMPTS: '-1' });
    expect(message).toContain('NOTIFIER_SWEEP_INTERVAL_MS');
    expect(message).toContain('NOTIFIER_STUCK_AFTER_MS');
    expect(message).toContain('NOTIFIER_MAX_DELIVERY_ATTEMPTS');
  });

  it('names each missing or malformed variable', () => {
    const { INTAKE_GRPC_ADDR: _unused, ...withoutDirectory } = valid;
    const message = problemsOf({ ...withoutDirectory, TWILIO_FROM: '555', NOTIFIER_SENDING_WINDOW: '8-21', NOTIFIER_DEFAULT_TIME_ZONE: 'Mars/Base' });
    expect(message).toContain('INTAKE_GRPC_ADDR');
    expect(message).toContain('TWILIO_FROM: must be an E.164 number');
    expect(message).toContain('NOTIFIER_SENDING_WINDOW: sending window must look like 08:00-21:00');
    expect(message).toContain('NOTIFIER_DEFAULT_TIME_ZONE: must be an IANA time zone');
  });

  it('requires the public URL of the webhook instance when running workers only', () => {
    expect(problemsOf({ ...valid, NOTIFIER_MODE: 'workers' })).toContain('NOTIFIER_PUBLIC_URL: is required when NOTIFIER_MODE=workers');
    expect(problemsOf({ ...valid, NOTIFIER_MODE: 'workers', NOTIFIER_PUBLIC_URL: 'https://notify.example.org' })).toBe('');
  });

  it('takes a queue prefix as a Redis Cluster hash tag, and refuses a half-tagged or colon prefix', () => {
    expect(loadConfig('notifier', notifierConfigSchema, { ...valid, NOTIFIER_QUEUE_PREFIX: '{kindred}' }).NOTIFIER_QUEUE_PREFIX).toBe('{kindred}');
    for (const prefix of ['{kindred', 'kin{dred}', 'kindred:queues', '{}']) {
      expect(problemsOf({ ...valid, NOTIFIER_QUEUE_PREFIX: prefix }), prefix).toContain('NOTIFIER_QUEUE_PREFIX: must be letters, digits');
    }
  });
});
