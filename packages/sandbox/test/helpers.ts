import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { startSandbox, twilioHttpClientFor } from '@kindred/sandbox';
import type { Sandbox, SandboxOptions } from '@kindred/sandbox';

export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const AUTH_TOKEN = 'test-auth-token';

export function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({ smtpPort: 0, httpPort: 0, authToken: AUTH_TOKEN, ...options });
}

export function twilioClientFor(sandbox: Sandbox, options: { timeoutMs?: number; authToken?: string } = {}): twilio.Twilio {
  const httpClient = twilioHttpClientFor(sandbox.url, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  return twilio(ACCOUNT_SID, options.authToken ?? AUTH_TOKEN, { httpClient });
}

export interface ReceivedWebhook {
  /** The full URL as the receiver saw it, the string Twilio's signature covers. */
  url: string;
  signature: string | undefined;
  contentType: string | undefined;
  params: Record<string, string>;
}

/** A local HTTP endpoint standing in for Kindred's webhook handlers; it records what it is sent. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the matching requests once `count` of them have arrived. */
  waitFor(count: number, matching?: (webhook: ReceivedWebhook) => boolean): Promise<ReceivedWebhook[]>;
  reply: { status: number; body: string; contentType: string };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: { count: number; matching: (webhook: ReceivedWebhook) => boolean; resolve: (found: ReceivedWebhook[]) => void }[] = [];
  const found = (matching: (webhook: ReceivedWebhook) => boolean): ReceivedWebhook[] => received.filter(matching);
  const reply = { status: 200, body: '<Response/>', contentType: 'text/xml' };
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post('/{*path}', (req, res) => {
    received.push({
      url: `http://${req.headers.host}${req.originalUrl}`,
      signature: req.header('x-twilio-signature'),
      contentType: req.header('content-type'),
      params: { ...(req.body as Record<string, string>) },
    });
    for (const waiter of waiters.filter((w) => found(w.matching).length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(found(waiter.matching));
    }
    res.status(reply.status).type(reply.contentType).send(reply.body);
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    reply,
    waitFor: (count, matching = () => true) =>
      found(matching).length >= count ? Promise.resolve(found(matching)) : new Promise((resolve) => waiters.push({ count, matching, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
