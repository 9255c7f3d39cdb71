import { BadRequestError } from './bad-request.error.js';

/** Small parsers for JSON request bodies: each names the field it rejects. */
export function asRecord(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('SANDBOX.INVALID_BODY', 'Expected a JSON object body (Content-Type: application/json).');
  }
  return body as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" is required and must be a non-empty string.`);
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" must be a non-empty string when given.`);
  }
  return value;
}

export function positiveInteger(body: Record<string, unknown>, field: string, fallback: number): number {
  const value = body[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" must be an integer between 1 and 1000000.`);
  }
  return value;
}

export function oneOf<T extends string | number>(body: Record<string, unknown>, field: string, allowed: readonly T[]): T {
  const value = body[field];
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`);
  }
  return match;
}

export function httpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadRequestError('SANDBOX.INVALID_FIELD', `"${field}" must be an absolute http(s) URL.`);
  }
  return value;
}

const E164 = /^\+[1-9]\d{1,14}$/;
export function isE164(value: string): boolean {
  return E164.test(value);
}
