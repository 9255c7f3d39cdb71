import { createHash } from 'node:crypto';
import { AppError } from '@kindred/platform';

/** JSON with keys sorted at every level: equal payloads hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function storedIdempotencyKey(header: string | undefined, id: string): string {
  return header === undefined ? `auto:${id}` : `k:${header}`;
}

export const idempotencyKeyReused = () =>
  new AppError('INTAKE.IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body', {
    details: { field: 'Idempotency-Key' },
  });
