import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type twilio from 'twilio';
import { sandboxClient } from '@kindred/sandbox';
import type { Sandbox, SandboxClient } from '@kindred/sandbox';
import { ACCOUNT_SID, AUTH_TOKEN, startTestSandbox, twilioClientFor } from './helpers.js';

const TO = '+15551230001';
const FROM = '+15557650000';

describe('Twilio Messages API', () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let client: twilio.Twilio;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    api = sandboxClient(sandbox.url);
    client = twilioClientFor(sandbox);
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await api.clearSms();
    await api.clearSmsFaults();
  });

  it('accepts a message sent with twilio-node and lists it', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'Your introduction is ready.' });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.accountSid).toBe(ACCOUNT_SID);
    expect(message.status).toBe('queued');
    expect(message.to).toBe(TO);
    expect(message.from).toBe(FROM);
    expect(message.body).toBe('Your introduction is ready.');
    expect(message.direction).toBe('outbound-api');
    expect(message.numSegments).toBe('1');
    expect(message.errorCode).toBeNull();
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(Number.isNaN(message.dateCreated.getTime())).toBe(false);
    expect(message.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${message.sid}.json`);

    const listed = await api.listSms({ to: TO });
    expect(listed.map((m) => m.sid)).toEqual([message.sid]);
    expect(listed[0]).toMatchObject({ to: TO, from: FROM, body: 'Your introduction is ready.', numSegments: 1 });
    expect(await api.listSms({ to: '+15559999999' })).toEqual([]);
  });

  it('plays out delivery: queued, sent, delivered, visible through twilio-node fetch', async () => {
    const { sid } = await client.messages.create({ to: TO, from: FROM, body: 'hello' });

    const done = await api.waitForSms(sid, (m) => m.status === 'delivered');
    expect(done.history.map((change) => change.status)).toEqual(['queued', 'sent', 'delivered']);
    const fetched = await client.messages(sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(fetched.dateSent).toBeInstanceOf(Date);
  });

  it('accepts a Messaging Service instead of a From number', async () => {
    const message = await client.messages.create({ to: TO, messagingServiceSid: `MG${'0'.repeat(32)}`, body: 'hi' });
    expect(message.messagingServiceSid).toBe(`MG${'0'.repeat(32)}`);
    expect(message.from).toBeNull();
  });

  it('counts segments the way carriers do (GSM-7 vs UCS-2)', async () => {
    const gsmTwo = await client.messages.create({ to: TO, from: FROM, body: 'a'.repeat(161) });
    const ucsTwo = await client.messages.create({ to: TO, from: FROM, body: `${'é'.repeat(60)}✓${'x'.repeat(10)}` });
    expect(gsmTwo.numSegments).toBe('2');
    expect(ucsTwo.numSegments).toBe('2');
  });

  it('refuses wrong credentials with 401 and code 20003', async () => {
    const intruder = twilioClientFor(sandbox, { authToken: 'not-the-token' });
    await expect(intruder.messages.create({ to: TO, from: FROM, body: 'hi' })).rejects.toMatchObject({ status: 401, code: 20003 });
    expect(await api.listSms()).toEqual([]);
  });

  it('refuses Basic credentials for another account than the one in the path', async () => {
    const response = await fetch(`${sandbox.url}/2010-04-01/Accounts/AC${'b'.repeat(32)}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
      body: new URLSearchParams({ To: TO, From: FROM, Body: 'hi' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003, status: 401 });
  });

  it('rejects a To that is not E.164 with 400 and code 21211', async () => {
    await expect(client.messages.create({ to: '555-1234', from: FROM, body: 'hi' })).rejects.toMatchObject({
      status: 400,
      code: 21211,
      moreInfo: 'https://www.twilio.com/docs/errors/21211',
    });
  });

  it('rejects a message without a Body with 400 and code 21602', async () => {
    await expect(client.messages.create({ to: TO, from: FROM })).rejects.toMatchObject({ status: 400, code: 21602 });
    expect(await api.listSms()).toEqual([]);
  });

  it('rejects a message with neither From nor MessagingServiceSid', async () => {
    await expect(client.messages.create({ to: TO, body: 'hi' })).rejects.toMatchObject({ status: 400, code: 21603 });
  });

  it('answers a raw request without To with 21211 in Twilio error shape', async () => {
    const response = await fetch(`${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
      body: new URLSearchParams({ From: FROM, Body: 'hi' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 21211,
      message: expect.any(String) as string,
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
  });

  describe('fault injection', () => {
    const cases = [
      { kind: '429', status: 429, code: 20429 },
      { kind: '500', status: 500, code: 20500 },
      { kind: '21610', status: 400, code: 21610 },
      { kind: '21211', status: 400, code: 21211 },
      { kind: '21614', status: 400, code: 21614 },
    ] as const;

    it.each(cases)('a $kind fault surfaces in twilio-node with status $status and code $code', async ({ kind, status, code }) => {
      await api.smsFault({ to: TO, kind, times: 1 });

      await expect(client.messages.create({ to: TO, from: FROM, body: 'hi' })).rejects.toMatchObject({ status, code });
      expect(await api.listSms()).toEqual([]);

      const retried = await client.messages.create({ to: TO, from: FROM, body: 'hi' });
      expect(retried.status).toBe('queued');
    });

    it('fails exactly the next N sends', async () => {
      await api.smsFault({ to: TO, kind: '429', times: 2 });
      await expect(client.messages.create({ to: TO, from: FROM, body: '1' })).rejects.toMatchObject({ status: 429 });
      await expect(client.messages.create({ to: TO, from: FROM, body: '2' })).rejects.toMatchObject({ status: 429 });
      await expect(client.messages.create({ to: TO, from: FROM, body: '3' })).resolves.toMatchObject({ status: 'queued' });
    });

    it('a fault for one number leaves other numbers alone; a fault without "to" hits anyone', async () => {
      await api.smsFault({ to: TO, kind: '21610', times: 1 });
      await expect(client.messages.create({ to: '+15551230002', from: FROM, body: 'hi' })).resolves.toMatchObject({ status: 'queued' });
      await expect(client.messages.create({ to: TO, from: FROM, body: 'hi' })).rejects.toMatchObject({ code: 21610 });

      await api.smsFault({ kind: '500', times: 1 });
      await expect(client.messages.create({ to: '+15551230003', from: FROM, body: 'hi' })).rejects.toMatchObject({ status: 500 });
    });

    it('a timeout fault holds the request until the client gives up, then lets it go', async () => {
      await api.smsFault({ to: TO, kind: 'timeout', times: 1 });
      const impatient = twilioClientFor(sandbox, { timeoutMs: 300 });

      const failure: unknown = await impatient.messages.create({ to: TO, from: FROM, body: 'hi' }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(Error);
      expect(failure).toMatchObject({ code: 'ECONNABORTED' });
      expect((failure as { status?: unknown }).status).toBeUndefined();
      await expect.poll(async () => (await api.smsFaults()).heldRequests).toBe(0);
      expect(await api.listSms()).toEqual([]);
    });

    it('DELETE /api/sms/faults disarms every fault', async () => {
      await api.smsFault({ kind: '429', times: 5 });
      await api.clearSmsFaults();
      await expect(client.messages.create({ to: TO, from: FROM, body: 'hi' })).resolves.toMatchObject({ status: 'queued' });
    });
  });

  it('closing the sandbox releases a request it is holding', async () => {
    const other = await startTestSandbox();
    const otherApi = sandboxClient(other.url);
    await otherApi.smsFault({ kind: 'timeout', times: 1 });
    const pending = twilioClientFor(other, { timeoutMs: 60_000 })
      .messages.create({ to: TO, from: FROM, body: 'hi' })
      .catch((error: unknown) => error);
    await expect.poll(async () => (await otherApi.smsFaults()).heldRequests).toBe(1);

    await other.close();

    expect(await pending).toBeInstanceOf(Error);
  });
});
