import express from 'express';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { afterAll, describe, expect, it } from 'vitest';
import { listen, type HttpServerHandle } from '@kindred/platform';
import { sandboxClient, twilioHttpClientFor } from '@kindred/sandbox';
import { testInfra, uniqueName, waitFor } from '@kindred/testkit';

const infra = testInfra();
if (infra.sandboxUrl === undefined) throw new Error('these smoke tests need the SMTP/SMS sandbox (SANDBOX_URL)');
const sandbox = sandboxClient(infra.sandboxUrl);
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('mail through nodemailer to the real SMTP server', () => {
  it('is kept by the server and read back with its headers', async () => {
    const to = `${uniqueName('peer')}@example.test`;
    const transport = nodemailer.createTransport({ url: infra.smtpUrl, pool: true } as never);
    closers.push(() => Promise.resolve(transport.close()));

    await transport.sendMail({
      from: 'Kindred <hello@kindred.test>',
      to,
      subject: 'Someone would like to meet you',
      text: 'Plain text body',
      html: '<p>HTML body</p>',
      list: { unsubscribe: 'https://kindred.test/unsubscribe/abc' },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      messageId: '<delivery-123@kindred.test>',
    });

    const [mail] = await sandbox.waitForMail(to);
    expect(mail?.subject).toBe('Someone would like to meet you');
    expect(mail?.text?.trim()).toBe('Plain text body');
    expect(mail?.messageId).toBe('<delivery-123@kindred.test>');
    expect(mail?.headers['list-unsubscribe']).toContain('https://kindred.test/unsubscribe/abc');
    expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  });
});

describe('SMS through the twilio library to the sandbox', () => {
  it('is accepted, listed, and followed by a status callback that twilio.validateRequest accepts', async () => {
    const received: { signature: string; url: string; params: Record<string, string> }[] = [];
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post('/twilio/status', (req, res) => {
      received.push({ signature: req.header('x-twilio-signature') ?? '', url: `${server.url}${req.originalUrl}`, params: req.body as Record<string, string> });
      res.status(204).end();
    });
    const server: HttpServerHandle = await listen(app, 0, '127.0.0.1');
    closers.push(() => server.close());

    const accountSid = `AC${'0'.repeat(32)}`;
    const client = twilio(accountSid, infra.twilioAuthToken, { httpClient: twilioHttpClientFor(sandbox.url) });
    const to = '+15005550006';
    const message = await client.messages.create({ to, from: '+15005550001', body: 'Kindred: someone would like to say hello.', statusCallback: `${server.url}/twilio/status` });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    const listed = await sandbox.listSms({ to });
    expect(listed.map((m) => m.sid)).toContain(message.sid);

    const delivered = await waitFor(() => received.find((c) => c.params['MessageSid'] === message.sid && c.params['MessageStatus'] === 'delivered'), {
      description: 'the delivered status callback',
    });
    expect(twilio.validateRequest(infra.twilioAuthToken, delivered.signature, delivered.url, delivered.params)).toBe(true);
    expect(twilio.validateRequest('another-token', delivered.signature, delivered.url, delivered.params)).toBe(false);
    expect(twilio.validateRequest(infra.twilioAuthToken, delivered.signature, delivered.url, { ...delivered.params, MessageStatus: 'failed' })).toBe(false);
  });

  it('fails the way Twilio fails when told to (unsubscribed recipient, code 21610)', async () => {
    const accountSid = `AC${'1'.repeat(32)}`;
    const client = twilio(accountSid, infra.twilioAuthToken, { httpClient: twilioHttpClientFor(sandbox.url) });
    const to = '+15005550009';
    await sandbox.smsFault({ to, kind: '21610', times: 1 });

    const error = (await client.messages.create({ to, from: '+15005550001', body: 'hello' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: number; status?: number } | undefined;

    expect(error?.code).toBe(21610);
    expect(error?.status).toBe(400);
  });
});
