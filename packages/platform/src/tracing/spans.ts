import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { errorCode } from '../errors.js';

export { SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';

/** W3C trace context as carried in the event envelope, Kafka headers, job data and stored documents. */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate: string;
}

const TRACER = 'kindred';
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export const noTraceContext: TraceContext = Object.freeze({ traceparent: '', tracestate: '' });

/** The active span's context in W3C form (empty when no span is active: the receiver then starts a new trace). */
export function activeTraceContext(from: Context = context.active()): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return { traceparent: carrier['traceparent'] ?? '', tracestate: carrier['tracestate'] ?? '' };
}

/** Writes the active (or given) context into a carrier: Kafka headers, gRPC metadata, job data. */
export function injectTraceHeaders(carrier: Record<string, string>, from: Context = context.active()): Record<string, string> {
  propagation.inject(from, carrier);
  return carrier;
}

/**
 * The context a carrier continues. A missing or malformed `traceparent` yields the root context: the next span
 * starts a new trace rather than failing the request or the message.
 */
export function extractTraceContext(carrier: Readonly<Record<string, string | undefined>> | TraceContext | undefined): Context {
  if (carrier === undefined) return ROOT_CONTEXT;
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(carrier)) if (typeof value === 'string' && value !== '') clean[name.toLowerCase()] = value;
  return propagation.extract(ROOT_CONTEXT, clean);
}

export function traceIdOf(value: TraceContext | undefined): string | undefined {
  return value ? traceparentPattern.exec(value.traceparent)?.[1] : undefined;
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The parent; defaults to the active context. */
  readonly parent?: Context;
  readonly links?: readonly Link[];
}

/** Marks the span failed with the error's stable code (never its message: it may quote input). */
export function recordSpanError(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode(error) });
  span.setAttribute('error.type', errorCode(error));
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles; a throw marks it failed and is rethrown.
 * Attributes must stay free of PII: ids, codes and counts only.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const tracer = trace.getTracer(TRACER);
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.links ? { links: [...options.links] } : {}) },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        recordSpanError(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Starts a span that the caller ends (for callbacks: gRPC, HTTP `finish`). */
export function startSpan(name: string, options: SpanOptions): { span: Span; context: Context } {
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer(TRACER)
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.links ? { links: [...options.links] } : {}) },
      parent,
    );
  return { span, context: trace.setSpan(parent, span) };
}

/** A link to the span a context holds, if any (e.g. the coordinator's own request from the journey's approval span). */
export function linkTo(from: Context = context.active()): Link[] {
  const spanContext = trace.getSpanContext(from);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

/** Runs `fn` with `ctx` active. */
export function withTraceContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** The active span's ids, for log lines; undefined outside a span. */
export function activeSpanIds(): { trace_id: string; span_id: string; trace_flags: string } | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: `0${spanContext.traceFlags.toString(16)}`.slice(-2) };
}
