import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '@kindred/sandbox';
import { testInfra, waitFor } from '@kindred/testkit';
import { ConsoleSession } from '../support/console-session.js';
import { startKindredProcesses, type KindredProcesses } from '../support/kindred-processes.js';
import { journeyPeople } from './journey-people.fixtures.js';

/**
 * Issue 7, item 7: one intake is followed through all four services as child processes (the way the run command
 * starts them), each exporting spans over OTLP/HTTP to a receiver in this test and writing its log to a file.
 * The intake request carries a traceparent of our own, so the whole journey must come back under that trace id.
 */

type ServiceName = 'intake' | 'matching' | 'notifier' | 'console';

interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number }[] }[];
  }[];
}

/** A tiny OTLP/HTTP receiver: the exporter posts JSON (exporter-trace-otlp-http's encoding) to /v1/traces. */
function startOtlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; requests: () => number }> {
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      if (req.url === '/v1/traces' && (req.headers['content-type'] ?? '').startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, kind: span.kind });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, requests: () => requests })),
  );
}

function logLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const run = randomBytes(4).toString('hex');
const { peer, newcomer, peerPhone } = journeyPeople('trace-', run);

const infra = testInfra();
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let kindred: KindredProcesses;
let logDir: string;
const logFile = (service: ServiceName) => join(logDir, `${service}.log`);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  logDir = mkdtempSync(join(tmpdir(), 'kindred-trace-'));
  kindred = await startKindredProcesses(infra, `trace_${run}`, logDir, {
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    // Finished spans leave within a fifth of a second instead of the SDK's 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '200',
    INTAKE_RELAY_POLL_MS: '100',
    MATCHING_BATCH_WINDOW_MS: '200',
    MATCHING_OUTBOX_INTERVAL_MS: '100',
    OUTBOX_POLL_MS: '100',
    // Any hour is a sending hour here: quiet hours have their own tests.
    NOTIFIER_SENDING_WINDOW: '00:00-24:00',
  });
}, 180_000);

afterAll(async () => {
  await kindred?.stop();
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  const connection = await mongoose.createConnection(infra.mongoUrl).asPromise();
  try {
    for (const name of kindred?.databases ?? []) await connection.useDb(name).dropDatabase();
  } finally {
    await connection.close();
  }
  rmSync(logDir, { recursive: true, force: true });
}, 60_000);

describe('one trace per journey', () => {
  it('follows one intake through intake, matching, the console approval and the notifier to the provider calls under one trace id', async () => {
    const intakeUrl = kindred.urls.intake;
    const traceId = randomBytes(16).toString('hex');
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${intakeUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    expect((await post('/v1/peers', peer)).status).toBe(201);
    const registered = await post('/v1/intakes', newcomer, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(registered.status).toBe(201);

    // The coordinator signs in, finds the proposal in the queue and approves it, as in a browser without JavaScript.
    const session = new ConsoleSession(kindred.urls.console);
    await session.signIn('coordinator', kindred.consolePassword);
    const matchId = await waitFor(async () => (await session.queueMatchIds())[0], {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'the proposal in the console queue',
    });
    await session.approve(matchId);

    const sandbox = sandboxClient(infra.sandboxUrl ?? '');
    await sandbox.waitForMail(peer.contact.email, { timeoutMs: 60_000 });
    await sandbox.waitForMail(newcomer.contact.email, { timeoutMs: 60_000 });
    await waitFor(async () => (await sandbox.listSms({ to: peerPhone }))[0], { timeoutMs: 60_000, description: 'the SMS to the peer' });

    // Spans arrive in batches after the work, and a job's span ends (so is exported) after its provider call:
    // wait until every span this journey must have is in, then check each, so a miss names what is missing.
    const expected: readonly { service: string; name: string | RegExp; min: number; exactly?: true }[] = [
      { service: 'intake', name: 'POST /v1/intakes', min: 1, exactly: true },
      { service: 'intake', name: /kindred\.intake\.newcomers\.v1 publish$/, min: 1 },
      { service: 'matching', name: /kindred\.intake\.newcomers\.v1 process$/, min: 1 },
      { service: 'matching', name: 'matching propose', min: 1, exactly: true },
      { service: 'console', name: 'console approve match', min: 1, exactly: true },
      { service: 'console', name: 'kindred.matching.v1.MatchingService/ApproveMatch', min: 1, exactly: true },
      { service: 'matching', name: 'kindred.matching.v1.MatchingService/ApproveMatch', min: 1, exactly: true },
      { service: 'matching', name: /kindred\.matching\.matches\.v1 publish$/, min: 1 },
      { service: 'notifier', name: /kindred\.matching\.matches\.v1 process$/, min: 1 },
      { service: 'notifier', name: 'kindred.intake.v1.ContactDirectory/GetContact', min: 2 },
      { service: 'intake', name: 'kindred.intake.v1.ContactDirectory/GetContact', min: 2 },
      { service: 'notifier', name: /^kindred-notify-(email|sms) process$/, min: 3 },
      { service: 'notifier', name: 'smtp send', min: 2 },
      { service: 'notifier', name: 'twilio messages create', min: 1 },
    ];
    const named = (service: string, name: string | RegExp) =>
      receiver.spans.filter(
        (s) => s.traceId === traceId && s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)),
      );
    await waitFor(() => expected.every(({ service, name, min }) => named(service, name).length >= min), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: `every span the journey must have in trace ${traceId}`,
    }).catch(() => undefined);
    for (const { service, name, min, exactly } of expected) {
      const count = named(service, name).length;
      if (exactly) expect(count, `${service} ${String(name)}`).toBe(min);
      else expect(count, `${service} ${String(name)}`).toBeGreaterThanOrEqual(min);
    }

    // One tree, not four: every span's parent is in the trace, except the intake request's (our own traceparent).
    // A parent ends after its children, so it may come in a later batch: wait for the tree to close.
    const orphansNow = () => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      const ids = new Set(spans.map((s) => s.spanId));
      return spans.filter((s) => !ids.has(s.parentSpanId)).map((s) => `${s.service}:${s.name}`);
    };
    await waitFor(() => orphansNow().length === 1, { timeoutMs: 15_000, description: 'every span of the journey to have its parent exported' }).catch(() => undefined);
    expect(orphansNow()).toEqual(['intake:POST /v1/intakes']);

    // The log lines of that work carry the trace id too, in all four services.
    for (const service of ['intake', 'matching', 'notifier', 'console'] as const) {
      const lines = await waitFor(() => {
        const found = logLines(logFile(service)).filter((line) => line['trace_id'] === traceId);
        return found.length > 0 ? found : undefined;
      }, { timeoutMs: 10_000, description: `${service} log lines with the trace id` });
      expect(lines.every((line) => typeof line['span_id'] === 'string'), service).toBe(true);
    }
    expect(logLines(logFile('intake')).some((line) => line['trace_id'] === traceId && line['msg'] === 'request')).toBe(true);
    expect(logLines(logFile('notifier')).some((line) => line['trace_id'] === traceId && line['msg'] === 'introduction planned')).toBe(true);
    expect(logLines(logFile('console')).some((line) => line['trace_id'] === traceId && line['msg'] === 'coordinator decision recorded' && line['decision'] === 'approve')).toBe(true);
  }, 240_000);
});
