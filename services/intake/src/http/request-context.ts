import type { Request } from 'express';
import { childTraceContext, isValidTraceparent, newTraceContext, type TraceContext } from '@kindred/platform';

export function traceOf(req: Request): TraceContext {
  const parent = req.get('traceparent');
  return parent !== undefined && isValidTraceparent(parent) ? childTraceContext({ traceparent: parent, tracestate: req.get('tracestate') ?? '' }) : newTraceContext();
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
