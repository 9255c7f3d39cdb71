import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { sandboxClient, SandboxClientError } from '@kindred/sandbox';
import type { Sandbox, SandboxClient } from '@kindred/sandbox';
import { AUTH_TOKEN, startTestSandbox, startWebhookReceiver } from './helpers.js';
import type { WebhookReceiver } from './helpers.js';

describe('inbound SMS', () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    api = sandboxClient(sandbox.url);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it("posts a signed Twilio inbound webhook and answers with the webhook's status and body", async () => {
    receiver.reply.body = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>You are unsubscribed.</Message></Response>';
    const webhookUrl = `${receiver.url}/twilio/inbound`;

    const result = await api.inboundSms({ from: '+15552220001', to: '+15557650000', body: 'STOP', webhookUrl });

    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/xml/);
    expect(result.body).toContain('You are unsubscribed.');
    const [webhook] = receiver.received;
    expect(webhook!.params).toMatchObject({
      MessageSid: result.messageSid,
      SmsSid: result.messageSid,
      From: '+15552220001',
      To: '+15557650000',
      Body: 'STOP',
      NumMedia: '0',
      NumSegments: '1',
    });
    expect(webhook!.params['AccountSid']).toMatch(/^AC[0-9a-f]{32}$/);
    expect(twilio.validateRequest(AUTH_TOKEN, webhook!.signature!, webhook!.url, webhook!.params)).toBe(true);
    expect(twilio.validateRequest(AUTH_TOKEN, webhook!.signature!, webhook!.url, { ...webhook!.params, Body: 'START' })).toBe(false);

    const inbound = await api.listSms({ direction: 'inbound' });
    expect(inbound.map((m) => [m.sid, m.body, m.webhooks[0]?.httpStatus])).toEqual([[result.messageSid, 'STOP', 200]]);
    expect(await api.listSms()).toEqual([]);
  });

  it('passes a refusing webhook status through', async () => {
    receiver.reply.status = 403;
    receiver.reply.body = 'bad signature';
    const result = await api.inboundSms({ from: '+15552220001', to: '+15557650000', body: 'HELP', webhookUrl: `${receiver.url}/x` });
    expect(result).toMatchObject({ status: 403, body: 'bad signature' });
  });

  it('answers 502 with a message when the webhook cannot be reached', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    const failure: unknown = await api
      .inboundSms({ from: '+15552220001', to: '+15557650000', body: 'hi', webhookUrl: `${closed.url}/x` })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SandboxClientError);
    expect(failure).toMatchObject({ status: 502, code: 'SANDBOX.WEBHOOK_UNREACHABLE' });
  });
});
