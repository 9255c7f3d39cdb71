import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { sandboxClient } from '@kindred/sandbox';
import type { Sandbox, SandboxClient } from '@kindred/sandbox';
import { ACCOUNT_SID, AUTH_TOKEN, startTestSandbox, startWebhookReceiver, twilioClientFor } from './helpers.js';
import type { WebhookReceiver } from './helpers.js';

const FROM = '+15557650000';

describe('status callbacks', () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let client: twilio.Twilio;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    api = sandboxClient(sandbox.url);
    client = twilioClientFor(sandbox);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.reply.status = 200;
  });

  it('posts "sent" then "delivered", form-encoded and signed so that twilio.validateRequest accepts them', async () => {
    const to = '+15551110001';
    const callbackUrl = `${receiver.url}/twilio/status?delivery=d-1`;
    const message = await client.messages.create({ to, from: FROM, body: 'hello', statusCallback: callbackUrl });

    const [sent, delivered] = await receiver.waitFor(2, (c) => c.params['To'] === to);

    expect(sent!.url).toBe(callbackUrl);
    expect(sent!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(sent!.params).toMatchObject({
      MessageSid: message.sid,
      SmsSid: message.sid,
      AccountSid: ACCOUNT_SID,
      From: FROM,
      To: to,
      MessageStatus: 'sent',
    });
    expect(sent!.params).not.toHaveProperty('ErrorCode');
    expect(delivered!.params).toMatchObject({ MessageSid: message.sid, MessageStatus: 'delivered' });
    for (const callback of [sent!, delivered!]) {
      expect(callback.signature).toBeDefined();
      expect(twilio.validateRequest(AUTH_TOKEN, callback.signature!, callback.url, callback.params)).toBe(true);
    }
  });

  it('a tampered callback does not validate', async () => {
    const to = '+15551110002';
    const message = await client.messages.create({ to, from: FROM, body: 'hello', statusCallback: `${receiver.url}/status` });
    const [sent] = await receiver.waitFor(1, (c) => c.params['To'] === to);
    const { url, signature, params } = sent!;

    expect(twilio.validateRequest(AUTH_TOKEN, signature!, url, params)).toBe(true);
    expect(twilio.validateRequest(AUTH_TOKEN, signature!, url, { ...params, MessageStatus: 'delivered' })).toBe(false);
    expect(twilio.validateRequest(AUTH_TOKEN, signature!, `${url}?x=1`, params)).toBe(false);
    expect(twilio.validateRequest('another-token', signature!, url, params)).toBe(false);
    expect(twilio.validateRequest(AUTH_TOKEN, `${signature!.slice(0, -2)}AA`, url, params)).toBe(false);
    await api.waitForSms(message.sid, (m) => m.webhooks.length === 2);
  });

  it('reports an undelivered outcome with its error code, after "sent"', async () => {
    const to = '+15551110003';
    await api.smsOutcome({ to, status: 'undelivered', errorCode: 30005 });
    const message = await client.messages.create({ to, from: FROM, body: 'hello', statusCallback: `${receiver.url}/status` });

    const callbacks = await receiver.waitFor(2, (c) => c.params['To'] === to);

    expect(callbacks.map((c) => c.params['MessageStatus'])).toEqual(['sent', 'undelivered']);
    expect(callbacks[1]!.params['ErrorCode']).toBe('30005');
    const stored = await api.waitForSms(message.sid, (m) => m.webhooks.length === 2);
    expect(stored.status).toBe('undelivered');
    expect(stored.errorCode).toBe(30005);
    expect(stored.history.map((h) => h.status)).toEqual(['queued', 'sent', 'undelivered']);
  });

  it('reports a failed outcome without a "sent" before it, with a default error code', async () => {
    const to = '+15551110004';
    await api.smsOutcome({ to, status: 'failed' });
    const message = await client.messages.create({ to, from: FROM, body: 'hello', statusCallback: `${receiver.url}/status` });

    const [failed] = await receiver.waitFor(1, (c) => c.params['To'] === to);
    const stored = await api.waitForSms(message.sid, (m) => m.webhooks.length === 1);

    expect(failed!.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30008' });
    expect(stored.history.map((h) => h.status)).toEqual(['queued', 'failed']);
    expect(receiver.received.filter((c) => c.params['To'] === to)).toHaveLength(1);
  });

  it('records the HTTP result of each callback, including a receiver that refuses it', async () => {
    receiver.reply.status = 403;
    const message = await client.messages.create({ to: '+15551110005', from: FROM, body: 'hello', statusCallback: `${receiver.url}/status` });

    const stored = await api.waitForSms(message.sid, (m) => m.webhooks.length === 2);

    expect(stored.webhooks.map((w) => [w.messageStatus, w.httpStatus, w.error])).toEqual([
      ['sent', 403, null],
      ['delivered', 403, null],
    ]);
  });

  it('records an unreachable callback URL as an error, and still completes the delivery', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    const message = await client.messages.create({ to: '+15551110006', from: FROM, body: 'hello', statusCallback: `${closed.url}/status` });

    const stored = await api.waitForSms(message.sid, (m) => m.webhooks.length === 2);

    expect(stored.status).toBe('delivered');
    expect(stored.webhooks.every((w) => w.httpStatus === null && typeof w.error === 'string' && w.error.length > 0)).toBe(true);
  });

  it('without a StatusCallback the message still moves to delivered and posts nothing', async () => {
    const to = '+15551110007';
    const message = await client.messages.create({ to, from: FROM, body: 'hello' });
    const stored = await api.waitForSms(message.sid, (m) => m.status === 'delivered');
    expect(stored.webhooks).toEqual([]);
    expect(receiver.received.filter((c) => c.params['To'] === to)).toEqual([]);
  });
});
