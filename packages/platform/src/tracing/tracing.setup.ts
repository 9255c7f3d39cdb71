import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { env } from '../config.js';

/**
 * The tracing variables every service accepts, merged into its own config schema by runServiceMain. Both follow
 * the OpenTelemetry names: the generic endpoint gets `/v1/traces` appended, the traces-specific one is used as is.
 */
export const tracingConfigShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.url(['http', 'https']).optional(),
  /** How long finished spans wait before a batch is exported (the SDK's default is 5 s). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(1).max(60_000).default(5_000),
  /**
   * Which traces are recorded and exported, with the OpenTelemetry names. The default keeps every trace; a national
   * programme sets `parentbased_traceidratio` and a ratio. Parent-based samplers follow the decision made where the
   * journey began (carried in traceparent through Kafka, the stored proposal and the job), so a journey is kept or
   * dropped whole. Trace ids still reach log lines and peers when a trace is not sampled. The SDK itself would
   * silently fall back to the default on a misspelt value; here it stops the service with the variable's name.
   */
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'], {
      message: 'must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
    })
    .default('parentbased_always_on'),
  /** The ratio of new traces kept by the `traceidratio` samplers, from 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number({ message: 'must be a ratio from 0 to 1' }).min(0, 'must be a ratio from 0 to 1').max(1, 'must be a ratio from 0 to 1').default(1),
};

export type SamplerName = z.output<typeof tracingConfigShape.OTEL_TRACES_SAMPLER>;

/** The sampler the OpenTelemetry variables name; `ratio` matters only to the two ratio samplers. */
export function samplerOf(name: SamplerName, ratio = 1): Sampler {
  const root = (kind: 'always_on' | 'always_off' | 'traceidratio'): Sampler =>
    kind === 'always_on' ? new AlwaysOnSampler() : kind === 'always_off' ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  switch (name) {
    case 'always_on':
    case 'always_off':
    case 'traceidratio':
      return root(name);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: root('always_on') });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: root('always_off') });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: root('traceidratio') });
  }
}

export interface TracingConfig {
  readonly service: string;
  /** Where OTLP/HTTP spans go; without it spans are still made (ids reach logs and peers) but exported nowhere. */
  readonly otlpTracesUrl?: string | undefined;
  readonly scheduledDelayMs?: number;
  /** Which traces are recorded; the default, parent-based always-on, records every one. */
  readonly sampler?: Sampler;
  /** Tests pass their own exporter (in memory) instead of a URL. */
  readonly exporter?: SpanExporter;
}

export interface Tracing {
  /** True when spans leave the process. */
  readonly exporting: boolean;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  /** Exports what is buffered, then unregisters the global provider so a later start can register again. */
  shutdown(): Promise<void>;
}

/** The URL spans go to, from the validated variables: the traces-specific one wins. */
export function otlpTracesUrlOf(config: { OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined }): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Registers the process's tracer provider (OpenTelemetry's API is global by design): AsyncLocalStorage carries the
 * active span across awaits, and the W3C `traceparent`/`tracestate` format crosses HTTP, gRPC metadata, Kafka
 * headers and job data. Our own edges make the spans explicitly; no auto-instrumentation (its ESM loader hooks
 * are fragile under tsx).
 */
export function startTracing(config: TracingConfig): Tracing {
  const exporter = config.exporter ?? (config.otlpTracesUrl === undefined ? undefined : new OTLPTraceExporter({ url: config.otlpTracesUrl }));
  const spanProcessors: SpanProcessor[] =
    exporter === undefined ? [] : [new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.scheduledDelayMs ?? 5_000 })];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.service }),
    spanProcessors,
    sampler: config.sampler ?? samplerOf('parentbased_always_on'),
  });
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
  return {
    exporting: exporter !== undefined,
    flush: () => provider.forceFlush(),
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}
