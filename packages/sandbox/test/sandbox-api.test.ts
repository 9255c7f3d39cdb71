import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { sandboxClient } from '@kindred/sandbox';
import type { Sandbox, SandboxClient } from '@kindred/sandbox';
import { startTestSandbox, twilioClientFor } from './helpers.js';

describe('sandbox control API', () => {
  let sandbox: Sandbox;
  let api: SandboxClient;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    api = sandboxClient(sandbox.url);
  });
  afterAll(() => sandbox.close());

  const post = async (path: string, body: string, contentType = 'application/json') => {
    const response = await fetch(sandbox.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
  };

  it('answers /healthz with 200', async () => {
    const response = await fetch(`${sandbox.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it.each([
    ['/api/mail/faults', '{"code":550}', /"to" is required/],
    ['/api/mail/faults', '{"to":"not-an-address","code":550}', /"to" must be an email address/],
    ['/api/mail/faults', '{"to":"a@b.test","code":500}', /"code" must be one of 550, 451/],
    ['/api/mail/faults', '{"to":"a@b.test","code":550,"times":0}', /"times" must be an integer/],
    ['/api/mail/faults', '[1,2]', /JSON object/],
    ['/api/mail/faults', '{"to":', /JSON/],
    ['/api/sms/faults', '{"kind":"418"}', /"kind" must be one of/],
    ['/api/sms/faults', '{"kind":"429","to":"12345"}', /"to" must be an E\.164/],
    ['/api/sms/faults', '{"kind":"429","times":1.5}', /"times" must be an integer/],
    ['/api/sms/outcomes', '{"to":"+15551234567","status":"lost"}', /"status" must be one of/],
    ['/api/sms/outcomes', '{"status":"failed"}', /"to" is required/],
    ['/api/sms/outcomes', '{"to":"+15551234567","status":"delivered","errorCode":30003}', /"errorCode" makes sense only/],
    ['/api/sms/outcomes', '{"to":"+15551234567","status":"failed","errorCode":"x"}', /"errorCode" must be a positive integer/],
    ['/api/sms/inbound', '{"from":"+15551234567","to":"+15557654321","body":"hi"}', /"webhookUrl" is required/],
    ['/api/sms/inbound', '{"from":"+15551234567","to":"+15557654321","body":"hi","webhookUrl":"ftp://x"}', /"webhookUrl" must be an absolute http/],
    ['/api/sms/inbound', '{"from":"me","to":"+15557654321","body":"hi","webhookUrl":"http://x.test"}', /"from" must be an E\.164/],
    ['/api/sms/inbound', '{"from":"+15551234567","to":"+15557654321","webhookUrl":"http://x.test"}', /"body" is required/],
  ])('POST %s %s → 400 naming the problem', async (path, body, message) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
  });

  it('a rejected request changes nothing', async () => {
    await post('/api/mail/faults', '{"to":"a@b.test","code":500}');
    await post('/api/sms/faults', '{"kind":"418"}');
    await post('/api/sms/outcomes', '{"to":"+15551234567","status":"lost"}');
    expect(await api.mailFaults()).toEqual([]);
    expect((await api.smsFaults()).faults).toEqual([]);
    expect((await (await fetch(`${sandbox.url}/api/sms/outcomes`)).json())).toEqual({ outcomes: [] });
  });

  it('rejects a non-JSON body on the control API', async () => {
    const response = await post('/api/sms/faults', 'kind=429', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/JSON object/);
  });

  it('rejects an unknown direction filter', async () => {
    const response = await fetch(`${sandbox.url}/api/sms?direction=sideways`);
    expect(response.status).toBe(400);
  });

  it('answers 404 for an unknown mail id, SMS sid or route', async () => {
    expect((await fetch(`${sandbox.url}/api/mail/nope`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/api/sms/SMnope`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/api/nothing-here`)).status).toBe(404);
  });

  it('shows the latest mail and SMS on a human page, with everything escaped', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false });
    try {
      await transport.sendMail({ from: 'a@kindred.test', to: 'page@example.test', subject: '<script>alert(1)</script>', text: 'body & <b>soul</b>' });
    } finally {
      transport.close();
    }
    await twilioClientFor(sandbox).messages.create({ to: '+15553330001', from: '+15557650000', body: '<img src=x onerror=alert(2)>' });

    const response = await fetch(`${sandbox.url}/`);
    const html = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('body &#38; &#60;b&#62;soul&#60;/b&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(2)&#62;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
  });
});
