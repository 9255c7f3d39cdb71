import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { sandboxClient } from '@kindred/sandbox';
import type { Sandbox, SandboxClient } from '@kindred/sandbox';
import { startTestSandbox } from './helpers.js';

describe('SMTP capture', () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let transport: Transporter;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    api = sandboxClient(sandbox.url);
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false });
  });
  afterAll(async () => {
    transport.close();
    await sandbox.close();
  });
  beforeEach(async () => {
    await api.clearMail();
    await api.clearMailFaults();
  });

  it('keeps a mail sent with nodemailer, with its List-Unsubscribe headers, readable through the API', async () => {
    const info = (await transport.sendMail({
      from: 'Kindred <introductions@kindred.test>',
      to: 'peer.one@example.test',
      subject: 'Someone would like to talk — Grüße',
      text: 'Hello, a newcomer would value your support.',
      html: '<p>Hello, a <b>newcomer</b> would value your support.</p>',
      list: { unsubscribe: { url: 'https://kindred.test/unsubscribe/t0k3n', comment: 'Unsubscribe' } },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    })) as { messageId: string };

    const [mail, ...others] = await api.waitForMail('peer.one@example.test');

    expect(others).toEqual([]);
    expect(mail!.envelope).toEqual({ from: 'introductions@kindred.test', to: ['peer.one@example.test'] });
    expect(mail!.subject).toBe('Someone would like to talk — Grüße');
    expect(mail!.text?.trim()).toBe('Hello, a newcomer would value your support.');
    expect(mail!.html).toBe('<p>Hello, a <b>newcomer</b> would value your support.</p>');
    expect(mail!.messageId).toBe(info.messageId);
    expect(mail!.headers['message-id']).toBe(info.messageId);
    expect(mail!.headers['list-unsubscribe']).toBe('<https://kindred.test/unsubscribe/t0k3n> (Unsubscribe)');
    expect(mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(Date.parse(mail!.receivedAt)).not.toBeNaN();
    expect(await api.getMail(mail!.id)).toEqual(mail);
  });

  it('lists mail for one recipient, oldest first, matching the address case-insensitively', async () => {
    await transport.sendMail({ from: 'a@kindred.test', to: 'first@example.test', subject: 'one', text: '1' });
    await transport.sendMail({ from: 'a@kindred.test', to: ['second@example.test', 'First@Example.test'], subject: 'two', text: '2' });
    await transport.sendMail({ from: 'a@kindred.test', to: 'second@example.test', subject: 'three', text: '3' });

    expect((await api.listMail({ to: 'first@example.test' })).map((m) => m.subject)).toEqual(['one', 'two']);
    expect((await api.listMail({ to: 'second@example.test' })).map((m) => m.subject)).toEqual(['two', 'three']);
    expect((await api.listMail()).map((m) => m.subject)).toEqual(['one', 'two', 'three']);
  });

  it('DELETE /api/mail forgets every captured mail', async () => {
    await transport.sendMail({ from: 'a@kindred.test', to: 'x@example.test', subject: 's', text: 't' });
    expect(await api.listMail()).toHaveLength(1);
    await api.clearMail();
    expect(await api.listMail()).toEqual([]);
  });

  it('a 550 fault makes nodemailer fail with responseCode 550, once, then mail flows again', async () => {
    await api.mailFault({ to: 'Bounce@Example.test', code: 550, times: 1 });

    const failure: unknown = await transport
      .sendMail({ from: 'a@kindred.test', to: 'bounce@example.test', subject: 's', text: 't' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ responseCode: 550 });
    expect(await api.listMail()).toEqual([]);
    await transport.sendMail({ from: 'a@kindred.test', to: 'bounce@example.test', subject: 's', text: 't' });
    expect(await api.listMail({ to: 'bounce@example.test' })).toHaveLength(1);
  });

  it('a 451 fault makes nodemailer fail with responseCode 451 for the next N attempts', async () => {
    await api.mailFault({ to: 'busy@example.test', code: 451, times: 2 });
    const send = () =>
      transport.sendMail({ from: 'a@kindred.test', to: 'busy@example.test', subject: 's', text: 't' }).then(
        () => 'sent',
        (error: { responseCode?: number }) => error.responseCode,
      );

    expect([await send(), await send(), await send()]).toEqual([451, 451, 'sent']);
    expect(await api.mailFaults()).toEqual([]);
  });

  it('a fault for one recipient refuses only that recipient', async () => {
    await api.mailFault({ to: 'gone@example.test', code: 550, times: 1 });

    const info = (await transport.sendMail({ from: 'a@kindred.test', to: ['gone@example.test', 'here@example.test'], subject: 's', text: 't' })) as {
      accepted: string[];
      rejected: string[];
    };

    expect(info.rejected).toEqual(['gone@example.test']);
    expect(info.accepted).toEqual(['here@example.test']);
    const [mail] = await api.listMail();
    expect(mail!.envelope.to).toEqual(['here@example.test']);
  });

  it('accepts a client that authenticates, since a relay in production would ask for credentials', async () => {
    const authenticated = nodemailer.createTransport({ host: '127.0.0.1', port: sandbox.smtpPort, secure: false, auth: { user: 'u', pass: 'p' } });
    try {
      await authenticated.sendMail({ from: 'a@kindred.test', to: 'auth@example.test', subject: 's', text: 't' });
    } finally {
      authenticated.close();
    }
    expect(await api.listMail({ to: 'auth@example.test' })).toHaveLength(1);
  });
});
