import { Writable } from 'node:stream';
import { InMemorySpanExporter, SamplingDecision } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, extractTraceContext, injectTraceHeaders, inSpan, loadConfig, samplerOf, startTracing, tracingConfigShape, type Tracing } from '@kindred/platform';

// A provider that keeps no new trace of its own (ratio 0) but follows a sampled parent: the national-programme set-up.
const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(() => {
  tracing = startTracing({ service: 'sampler-test', exporter, scheduledDelayMs: 10, sampler: samplerOf('parentbased_traceidratio', 0) });
});
afterAll(async () => {
  await tracing.shutdown();
});
afterEach(() => exporter.reset());

async function exportedNames(): Promise<string[]> {
  await tracing.flush();
  return exporter.getFinishedSpans().map((span) => span.name);
}

describe('trace sampling', () => {
  it('drops a journey that begins unsampled, yet its log lines still carry the trace id and it still propagates', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({
      service: 'sampler-test',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    });
    const { traceId, headers } = await inSpan('intake request', {}, (span) => {
      log.info('accepted');
      return Promise.resolve({ traceId: span.spanContext().traceId, headers: injectTraceHeaders({}) });
    });
    // Downstream, in another service: the parent said "not sampled", so this part is not kept either.
    await inSpan('matching propose', { parent: extractTraceContext(headers) }, () => Promise.resolve());

    expect(await exportedNames()).toEqual([]);
    expect(lines[0]).toMatchObject({ msg: 'accepted', trace_id: traceId, trace_flags: '00' });
    expect(headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it('keeps every span of a journey whose parent was sampled upstream', async () => {
    const sampledUpstream = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    await inSpan('kafka process', { parent: extractTraceContext(sampledUpstream) }, () => inSpan('smtp send', {}, () => Promise.resolve()));
    expect((await exportedNames()).sort()).toEqual(['kafka process', 'smtp send']);
  });

  it('chooses the sampler the variables name, and keeps about the ratio asked for', () => {
    const decide = (name: Parameters<typeof samplerOf>[0], ratio?: number) => {
      const sampler = samplerOf(name, ratio);
      let kept = 0;
      for (let i = 0; i < 2_000; i += 1) {
        const traceId = (BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32);
        // A root span: no parent in the context.
        if (sampler.shouldSample(extractTraceContext({}), traceId, 'root', 0, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED) kept += 1;
      }
      return kept;
    };
    expect(decide('always_on')).toBe(2_000);
    expect(decide('always_off')).toBe(0);
    expect(decide('parentbased_always_off')).toBe(0);
    expect(decide('parentbased_always_on')).toBe(2_000);
    expect(decide('traceidratio', 0.25)).toBeGreaterThan(350);
    expect(decide('traceidratio', 0.25)).toBeLessThan(650);
  });

  it('refuses a misspelt sampler or an out-of-range ratio at start, naming the variable; the default keeps every trace', () => {
    const schema = z.object({}).extend(tracingConfigShape);
    expect(() => loadConfig('svc', schema, { OTEL_TRACES_SAMPLER: 'parentbased_ratio' })).toThrow(/OTEL_TRACES_SAMPLER\b.*must be one of/s);
    expect(() => loadConfig('svc', schema, { OTEL_TRACES_SAMPLER_ARG: '1.5' })).toThrow(/OTEL_TRACES_SAMPLER_ARG.*ratio from 0 to 1/s);
    expect(() => loadConfig('svc', schema, { OTEL_TRACES_SAMPLER_ARG: 'ten percent' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    const defaults = loadConfig('svc', schema, {});
    expect(defaults.OTEL_TRACES_SAMPLER).toBe('parentbased_always_on');
    expect(defaults.OTEL_TRACES_SAMPLER_ARG).toBe(1);
  });
});
