import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type twilio from 'twilio';
import { sandboxClient } from '@kindred/sandbox';
import type { Sandbox, SandboxClient } from '@kindred/sandbox';
import { startTestSandbox, twilioClientFor } from './helpers.js';

const FROM = '+15557650000';

describe('fault windows: every recipient fails for a while, then everything flows again', () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let sms: twilio.Twilio;
  let transport: Transporter;
  // The sandbox measures windows on this clock, so a test moves time instead of waiting for it.
  let clock = 1_000_000;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ now: () => clock });
    api = sandboxClient(sandbox.url);
    sms = twilioClientFor(sandbox);
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    transport.close();
    await sandbox.close();
  });
  beforeEach(async () => {
    await api.clearMailFaults();
    await api.clearSmsFaults();
  });

  const sendMail = (to: string) =>
    transport.sendMail({ from: 'a@kindred.test', to, subject: 's', text: 't' }).then(
      () => 'sent' as const,
      (error: { responseCode?: number }) => error.responseCode,
    );
  const sendSms = (to: string) =>
    sms.messages.create({ to, from: FROM, body: 'hi' }).then(
      () => 'queued' as const,
      (error: { status?: number }) => error.status,
    );

  it('a mail window answers every recipient with 451 until it ends, and counts what it refused', async () => {
    const before = await api.mailWindowRefusals();
    const window = await api.mailFaultWindow({ code: 451, seconds: 30 });
    expect(window).toEqual({ code: 451, until: clock + 30_000 });

    expect([await sendMail('one@example.test'), await sendMail('two@example.test'), await sendMail('one@example.test')]).toEqual([451, 451, 451]);
    clock += 29_000;
    expect(await sendMail('three@example.test')).toBe(451);

    clock += 1_000;
    expect(await sendMail('one@example.test')).toBe('sent');
    expect(await api.currentMailFaultWindow()).toBeNull();
    expect((await api.mailWindowRefusals()) - before).toBe(4);
  });

  it('an SMS window answers every send with its kinds in turn until it ends, and counts what it refused', async () => {
    const before = await api.smsWindowRefusals();
    await api.smsFaultWindow({ kinds: ['429', '500'], seconds: 10 });

    expect([await sendSms('+15551230001'), await sendSms('+15551230002'), await sendSms('+15551230003')]).toEqual([429, 500, 429]);
    expect(await api.currentSmsFaultWindow()).toMatchObject({ kinds: ['429', '500'] });

    clock += 10_000;
    expect(await sendSms('+15551230001')).toBe('queued');
    expect(await api.currentSmsFaultWindow()).toBeNull();
    expect((await api.smsWindowRefusals()) - before).toBe(3);
  });

  it('clearing faults ends a window at once', async () => {
    await api.mailFaultWindow({ code: 550, seconds: 60 });
    await api.smsFaultWindow({ kinds: ['500'], seconds: 60 });
    await api.clearMailFaults();
    await api.clearSmsFaults();

    expect(await sendMail('one@example.test')).toBe('sent');
    expect(await sendSms('+15551230001')).toBe('queued');
  });

  it.each([
    ['/api/mail/fault-window', '{"code":451}', /"seconds" must be an integer/],
    ['/api/mail/fault-window', '{"code":500,"seconds":5}', /"code" must be one of 550, 451/],
    ['/api/sms/fault-window', '{"seconds":5}', /"kinds" must be a non-empty array/],
    ['/api/sms/fault-window', '{"kinds":[],"seconds":5}', /"kinds" must be a non-empty array/],
    ['/api/sms/fault-window', '{"kinds":["429","418"],"seconds":5}', /"kinds" must be one of/],
    ['/api/sms/fault-window', '{"kinds":["429"],"seconds":0}', /"seconds" must be an integer/],
  ])('POST %s %s → 400 naming the problem, and no window', async (path, body, message) => {
    const response = await fetch(sandbox.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
    expect(await api.currentMailFaultWindow()).toBeNull();
    expect(await api.currentSmsFaultWindow()).toBeNull();
  });
});
