import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { credentials, Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import express from 'express';
import type { Kafka } from 'kafkajs';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { health } from '@kindred/contracts';
import {
  activeTraceContext,
  createLogger,
  createRecordPublisher,
  extractTraceContext,
  grpcClientTracing,
  injectTraceHeaders,
  inSpan,
  listen,
  loadConfig,
  otlpTracesUrlOf,
  SpanKind,
  startTracing,
  traceGrpcHandlers,
  traceHttpRequests,
  traceIdOf,
  tracingConfigShape,
  type HttpServerHandle,
  type TraceContext,
  type Tracing,
} from '@kindred/platform';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(() => {
  tracing = startTracing({ service: 'platform-test', exporter, scheduledDelayMs: 10 });
});
afterAll(async () => {
  await tracing.shutdown();
});
afterEach(() => exporter.reset());

async function finishedSpans(): Promise<ReadableSpan[]> {
  await tracing.flush();
  return exporter.getFinishedSpans();
}

/** An HTTP server span ends on `finish`, which can come after the client has its answer: wait for it. */
async function serverSpan(): Promise<ReadableSpan> {
  for (let tries = 0; tries < 200; tries += 1) {
    const span = (await finishedSpans()).find((s) => s.kind === SpanKind.SERVER);
    if (span) return span;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no server span finished');
}

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ service: 'platform-test', destination }), lines };
}

const wellFormed = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('tracing setup', () => {
  it('names the service and records spans with their kind and attributes', async () => {
    await inSpan('unit work', { kind: SpanKind.INTERNAL, attributes: { 'kindred.match.id': 'mt_1' } }, () => Promise.resolve());
    const [span] = await finishedSpans();
    expect(span?.name).toBe('unit work');
    expect(span?.resource.attributes['service.name']).toBe('platform-test');
    expect(span?.attributes['kindred.match.id']).toBe('mt_1');
  });

  it('marks a span failed with the error code when the work throws, and rethrows', async () => {
    await expect(inSpan('failing work', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const [span] = await finishedSpans();
    expect(span?.status.code).toBe(2); // SpanStatusCode.ERROR
  });

  it('builds the OTLP traces URL from the validated variables, the traces-specific one first', () => {
    expect(otlpTracesUrlOf({})).toBeUndefined();
    expect(otlpTracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces' })).toBe('http://b:4318/traces');
  });

  it('rejects a malformed endpoint at start, naming the variable', () => {
    const schema = z.object({}).extend(tracingConfigShape);
    expect(() => loadConfig('svc', schema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(loadConfig('svc', schema, {}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });
});

describe('log lines', () => {
  it('carry the active trace and span ids inside a span, in every child logger', async () => {
    const { log, lines } = capturedLogger();
    const child = log.child({ component: 'x' });
    const ids = await inSpan('logged work', {}, (span) => {
      child.info('inside');
      return Promise.resolve(span.spanContext());
    });
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId, component: 'x' });
  });

  it('carry no trace id outside a span', () => {
    const { log, lines } = capturedLogger();
    log.info('outside');
    expect(lines[0]?.['msg']).toBe('outside');
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('span_id');
  });
});

describe('propagation', () => {
  it('injects the active span into headers, and a span extracted from them continues the same trace', async () => {
    const { headers, parentSpanId, traceId } = await inSpan('producer side', {}, (span) =>
      Promise.resolve({ headers: injectTraceHeaders({}), parentSpanId: span.spanContext().spanId, traceId: span.spanContext().traceId }),
    );
    expect(headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-${parentSpanId}-01$`));
    const child = await inSpan('consumer side', { parent: extractTraceContext(headers) }, (span) => Promise.resolve(span.spanContext()));
    expect(child.traceId).toBe(traceId);
    const consumer = (await finishedSpans()).find((s) => s.name === 'consumer side');
    expect(consumer?.parentSpanContext?.spanId).toBe(parentSpanId);
  });

  it('starts a new trace, without failing, from a malformed or missing traceparent', async () => {
    for (const traceparent of ['garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-xyz', '']) {
      const context = await inSpan('fresh', { parent: extractTraceContext({ traceparent }) }, () => Promise.resolve(activeTraceContext()));
      expect(traceIdOf(context)).toMatch(/^[0-9a-f]{32}$/);
      expect(traceIdOf(context)).not.toBe('00000000000000000000000000000000');
    }
    const spans = await finishedSpans();
    expect(spans.every((s) => s.parentSpanContext === undefined)).toBe(true);
  });

  it('has an empty trace context when no span is active (the receiver starts a new trace)', () => {
    expect(activeTraceContext()).toEqual({ traceparent: '', tracestate: '' });
  });
});

describe('Kafka publisher', () => {
  it('publishes each record under a producer span of the trace in its headers, and sends that span in the headers', async () => {
    const sent: { topic: string; headers: Record<string, string> }[] = [];
    const fakeKafka = {
      producer: () => ({
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        sendBatch: (batch: { topicMessages: { topic: string; messages: { headers: Record<string, string> }[] }[] }) => {
          for (const t of batch.topicMessages) for (const m of t.messages) sent.push({ topic: t.topic, headers: m.headers });
          return Promise.resolve([]);
        },
      }),
    } as unknown as Kafka;
    const publisher = await createRecordPublisher(fakeKafka);
    await publisher.publish([
      { topic: 'journey.a', key: 'k1', value: Buffer.from('x'), headers: { traceparent: wellFormed } },
      { topic: 'journey.b', key: 'k2', value: Buffer.from('y'), headers: {} },
    ]);
    const spans = await finishedSpans();
    const a = spans.find((s) => s.name === 'journey.a publish');
    expect(a?.kind).toBe(SpanKind.PRODUCER);
    expect(a?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(a?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(a?.attributes['messaging.destination.name']).toBe('journey.a');
    expect(sent[0]?.headers['traceparent']).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${a?.spanContext().spanId}-01`);
    const b = spans.find((s) => s.name === 'journey.b publish');
    expect(sent[1]?.headers['traceparent']).toBe(`00-${b?.spanContext().traceId}-${b?.spanContext().spanId}-01`);
  });
});

describe('HTTP server spans', () => {
  let server: HttpServerHandle;
  let base: string;
  const seen: TraceContext[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(traceHttpRequests());
    app.use(express.json());
    app.post('/things/:id', (_req, res) => {
      seen.push(activeTraceContext());
      res.status(201).json({ ok: true });
    });
    app.get('/healthz', (_req, res) => {
      seen.push(activeTraceContext());
      res.send('ok');
    });
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('continues an incoming traceparent through body parsing, named by the route pattern', async () => {
    seen.length = 0;
    const response = await fetch(`${base}/things/abc123?x=1`, { method: 'POST', headers: { traceparent: wellFormed, 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(traceIdOf(seen[0])).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const span = await serverSpan();
    expect(span.name).toBe('POST /things/:id');
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span.attributes['http.response.status_code']).toBe(201);
  });

  it('answers a request with a malformed traceparent normally, in a new trace', async () => {
    seen.length = 0;
    const response = await fetch(`${base}/things/abc123`, { method: 'POST', headers: { traceparent: '00-nonsense', 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(201);
    expect(traceIdOf(seen[0])).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf(seen[0])).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect((await serverSpan()).parentSpanContext).toBeUndefined();
  });

  it('makes no spans for health probes', async () => {
    seen.length = 0;
    await fetch(`${base}/healthz`);
    expect(seen[0]).toEqual({ traceparent: '', tracestate: '' });
    expect((await finishedSpans()).filter((s) => s.name.startsWith('GET'))).toEqual([]);
  });
});

describe('gRPC spans', () => {
  let server: GrpcServer;
  let client: health.HealthClient;
  const serverSide: string[] = [];

  beforeAll(async () => {
    server = new GrpcServer();
    server.addService(
      health.HealthService,
      traceGrpcHandlers(health.HealthService, {
        check: (_call, callback) => {
          serverSide.push(activeTraceContext().traceparent);
          callback(null, { status: health.HealthCheckResponse_ServingStatus.SERVING });
        },
        watch: (call) => call.end(),
      } satisfies health.HealthServer),
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    client = new health.HealthClient(`127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: [grpcClientTracing] });
  });
  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('sends the client span in metadata and runs the handler in a server span of the same trace', async () => {
    const traceId = await inSpan('caller', {}, async (span) => {
      await new Promise<void>((resolve, reject) => client.check({ service: '' }, (error) => (error ? reject(error) : resolve())));
      return span.spanContext().traceId;
    });
    expect(traceIdOf({ traceparent: serverSide[0] ?? '', tracestate: '' })).toBe(traceId);
    const spans = await finishedSpans();
    const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(clientSpan?.name).toBe('grpc.health.v1.Health/Check');
    expect(serverSpan?.name).toBe('grpc.health.v1.Health/Check');
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(serverSpan?.attributes['rpc.grpc.status_code']).toBe(0);
  });
});

describe('OTLP/HTTP export', () => {
  it('sends spans as OTLP JSON to the configured URL', async () => {
    await tracing.shutdown();
    const bodies: unknown[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const exporting = startTracing({ service: 'otlp-test', otlpTracesUrl: otlpTracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: url }), scheduledDelayMs: 10 });
    try {
      expect(exporting.exporting).toBe(true);
      await inSpan('exported work', {}, () => Promise.resolve());
      await exporting.flush();
      expect(bodies[0]).toMatchObject({ path: '/v1/traces', type: 'application/json' });
      const text = JSON.stringify(bodies);
      expect(text).toContain('exported work');
      expect(text).toContain('otlp-test');
    } finally {
      await exporting.shutdown();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      tracing = startTracing({ service: 'platform-test', exporter, scheduledDelayMs: 10 });
    }
  });
});
