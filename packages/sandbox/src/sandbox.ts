import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { homePage } from './home.page.js';
import { mailRoutes } from './mail/mail.routes.js';
import { createMailStore } from './mail/mail.store.js';
import { createSmtpServer } from './mail/smtp.server.js';
import { createSmsDelivery } from './sms/sms-delivery.js';
import { smsRoutes } from './sms/sms.routes.js';
import { createSmsStore } from './sms/sms.store.js';
import { twilioMessagesRoutes } from './sms/twilio-messages.routes.js';
import { BadRequestError } from './support/bad-request.error.js';
import { jsonLinesJournal, noJournal } from './support/json-lines.journal.js';

export interface SandboxOptions {
  /** 0 picks a free port. */
  smtpPort: number;
  /** 0 picks a free port. */
  httpPort: number;
  /** The Twilio auth token: checked on the Messages API and used to sign callbacks and webhooks. */
  authToken: string;
  /** When set, captured mail and SMS are kept there as JSON lines and survive a restart. */
  dataDir?: string | undefined;
  /** Interface to listen on; loopback by default since nothing here is authenticated. */
  host?: string | undefined;
  /** Wait before an accepted SMS is "sent" and its callbacks fire (default 0). */
  callbackDelayMs?: number | undefined;
  /** How many messages of each kind are kept in memory (default 5000). */
  maxKept?: number | undefined;
  /** The clock fault windows are measured on (epoch ms); tests pass their own. */
  now?: (() => number) | undefined;
}

export interface Sandbox {
  smtpPort: number;
  httpPort: number;
  /** Base URL of the HTTP side, e.g. http://127.0.0.1:18025 */
  url: string;
  close(): Promise<void>;
}

function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (error instanceof BadRequestError) {
    res.status(400).json({ code: error.code, message: error.message });
    return;
  }
  // body-parser errors carry the status they deserve (malformed JSON 400, too large 413).
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ code: 'SANDBOX.BAD_REQUEST', message: error instanceof Error ? error.message : 'Bad request.' });
    return;
  }
  res.status(500).json({ code: 'SANDBOX.INTERNAL', message: error instanceof Error ? error.message : String(error) });
}

/** Resolves with the bound port once listening, rejects on a bind error (port in use, bad host). */
async function listenOn(server: NetServer, start: () => void): Promise<number> {
  start();
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  return (server.address() as AddressInfo).port;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const maxKept = options.maxKept ?? 5000;
  const dataDir = options.dataDir;
  const mailStore = createMailStore(dataDir === undefined ? noJournal() : jsonLinesJournal(join(dataDir, 'mail.jsonl')), maxKept, options.now);
  const smsStore = createSmsStore(dataDir === undefined ? noJournal() : jsonLinesJournal(join(dataDir, 'sms.jsonl')), maxKept, options.now);
  const delivery = createSmsDelivery({ store: smsStore, authToken: options.authToken, callbackDelayMs: options.callbackDelayMs ?? 0 });
  const twilio = twilioMessagesRoutes({ store: smsStore, delivery, authToken: options.authToken });

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/', (_req, res) => {
    res.type('html').send(homePage(mailStore.list({}), smsStore.list({ direction: 'all' })));
  });
  app.use(twilio.router);
  app.use('/api', express.json({ limit: '1mb' }));
  app.use(mailRoutes(mailStore));
  app.use(smsRoutes({ store: smsStore, delivery, held: twilio.held }));
  app.use((req, res) => {
    res.status(404).json({ code: 'SANDBOX.NOT_FOUND', message: `No route for ${req.method} ${req.path}.` });
  });
  app.use(errorHandler);

  const smtp = createSmtpServer(mailStore, { closeTimeoutMs: 1000 });
  const http = createServer(app);
  const closeHttp = (): Promise<void> =>
    new Promise((resolve) => {
      twilio.held.releaseAll();
      http.close(() => resolve());
      http.closeAllConnections();
    });
  const closeSmtp = (): Promise<void> => new Promise((resolve) => smtp.close(() => resolve()));

  let smtpPort: number;
  let httpPort: number;
  try {
    httpPort = await listenOn(http, () => http.listen(options.httpPort, host));
    smtpPort = await listenOn(smtp.server, () => smtp.listen(options.smtpPort, host));
  } catch (error) {
    await Promise.allSettled([closeHttp(), closeSmtp(), delivery.close()]);
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    smtpPort,
    httpPort,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`,
    close() {
      closing ??= (async () => {
        // Callbacks first: they are the sandbox's own outgoing work and must not outlive it.
        await delivery.close();
        await Promise.all([closeHttp(), closeSmtp()]);
      })();
      return closing;
    },
  };
}
