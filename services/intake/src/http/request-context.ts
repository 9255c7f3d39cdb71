import type { Request } from 'express';
import { activeTraceContext, type TraceContext } from '@kindred/platform';

/** The request's span (made by traceHttpRequests, continuing an incoming `traceparent`): the events it causes carry it. */
export function traceOf(_req: Request): TraceContext {
  return activeTraceContext();
}

const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Idempotency-Key header: absent, valid, or malformed. */
export function idempotencyKeyOf(req: Request): { ok: true; key: string | undefined } | { ok: false } {
  const key = req.get('idempotency-key');
  if (key === undefined) return { ok: true, key: undefined };
  return idempotencyKeyPattern.test(key) ? { ok: true, key } : { ok: false };
}

export function bearerTokenOf(req: Request): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.get('authorization') ?? '');
  return match?.[1];
}
