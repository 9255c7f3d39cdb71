import { randomBytes } from 'node:crypto';

/** W3C trace context carried in Kafka headers and the event envelope, so one intake can be followed end to end. */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate: string;
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceContext(): TraceContext {
  return { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`, tracestate: '' };
}

/** A child span of `parent` (same trace id, new span id), or a new trace when the parent is missing or malformed. */
export function childTraceContext(parent: TraceContext | undefined): TraceContext {
  const match = parent ? traceparentPattern.exec(parent.traceparent) : null;
  if (!match || !parent) return newTraceContext();
  return { traceparent: `00-${match[1]}-${randomBytes(8).toString('hex')}-${match[3]}`, tracestate: parent.tracestate };
}

export function traceIdOf(context: TraceContext | undefined): string | undefined {
  return context ? traceparentPattern.exec(context.traceparent)?.[1] : undefined;
}

export function isValidTraceparent(value: string): boolean {
  return traceparentPattern.test(value);
}
