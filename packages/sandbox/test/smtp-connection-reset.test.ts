import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@kindred/sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ smtpPort: 0, httpPort: 0, authToken: 'sandbox-auth-token' });
});
afterAll(async () => {
  await sandbox.close();
});

describe('the SMTP server when a client resets its connection', () => {
  it('keeps running and keeps answering', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(sandbox.smtpPort, '127.0.0.1');
      socket.once('data', () => {
        socket.write('EHLO client\r\n');
        socket.resetAndDestroy();
        resolve();
      });
      socket.once('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the server see the reset
    const health = await fetch(`${sandbox.url}/healthz`);
    expect(health.status).toBe(200);
    const banner = await new Promise<string>((resolve, reject) => {
      const socket = connect(sandbox.smtpPort, '127.0.0.1');
      socket.once('data', (chunk) => {
        socket.end('QUIT\r\n');
        resolve(chunk.toString());
      });
      socket.once('error', reject);
    });
    expect(banner).toMatch(/^220 /);
  });
});
