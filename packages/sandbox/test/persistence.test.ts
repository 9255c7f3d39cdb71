import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { sandboxClient } from '@kindred/sandbox';
import type { Sandbox } from '@kindred/sandbox';
import { startTestSandbox, twilioClientFor } from './helpers.js';

describe('persistence with a data directory', () => {
  const dirs: string[] = [];
  const running: Sandbox[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'kindred-sandbox-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string): Promise<Sandbox> => {
    const sandbox = await startTestSandbox({ dataDir });
    running.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('mail and SMS, with their delivery history, survive a restart', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: first.smtpPort, secure: false });
    try {
      await transport.sendMail({ from: 'a@kindred.test', to: 'kept@example.test', subject: 'kept', text: 'still here' });
    } finally {
      transport.close();
    }
    const { sid } = await twilioClientFor(first).messages.create({ to: '+15554440001', from: '+15557650000', body: 'still here' });
    await sandboxClient(first.url).waitForSms(sid, (m) => m.status === 'delivered');
    await first.close();

    const second = await start(dataDir);
    const api = sandboxClient(second.url);

    expect((await api.listMail({ to: 'kept@example.test' })).map((m) => [m.subject, m.text?.trim()])).toEqual([['kept', 'still here']]);
    const [sms] = await api.listSms({ to: '+15554440001' });
    expect(sms).toMatchObject({ sid, body: 'still here', status: 'delivered' });
    expect(sms!.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delivered']);
    expect((await twilioClientFor(second).messages(sid).fetch()).status).toBe('delivered');
  });

  it('a clear is persisted too', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    await twilioClientFor(first).messages.create({ to: '+15554440002', from: '+15557650000', body: 'gone soon' });
    await sandboxClient(first.url).clearSms();
    await first.close();

    const second = await start(dataDir);
    expect(await sandboxClient(second.url).listSms({ direction: 'all' })).toEqual([]);
  });

  it('tolerates a torn last line left by a crash, but not corruption in the middle', async () => {
    const torn = tempDir();
    writeFileSync(join(torn, 'mail.jsonl'), '{"type":"mail","mail":{"id":"m1","envelope":{"from":null,"to":["t@example.test"]},"headers":{},"messageId":null,"subject":"ok","text":null,"html":null,"attachments":[],"receivedAt":"2024-01-01T00:00:00.000Z"}}\n{"type":"ma');
    const sandbox = await start(torn);
    expect((await sandboxClient(sandbox.url).listMail()).map((m) => m.id)).toEqual(['m1']);

    const corrupt = tempDir();
    writeFileSync(join(corrupt, 'sms.jsonl'), 'not json\n{"type":"status","sid":"SMx","change":{"status":"sent","errorCode":null,"at":"x"}}\n');
    await expect(startTestSandbox({ dataDir: corrupt })).rejects.toThrow(/sms\.jsonl:1 is not valid JSON/);
  });

  it('without a data directory nothing survives a restart', async () => {
    const first = await startTestSandbox();
    running.push(first);
    await twilioClientFor(first).messages.create({ to: '+15554440003', from: '+15557650000', body: 'ephemeral' });
    await first.close();
    const second = await startTestSandbox();
    running.push(second);
    expect(await sandboxClient(second.url).listSms()).toEqual([]);
  });
});
