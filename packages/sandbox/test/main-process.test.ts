import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../../..');

function launch(env: Record<string, string>): ChildProcessWithoutNullStreams {
  // The launcher's command line, run from the repository root.
  return spawn(process.execPath, ['--import', 'tsx', 'packages/sandbox/src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
}

async function readyUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { event?: string; url?: string };
    if (event.event === 'ready' && event.url !== undefined) return event.url;
  }
  throw new Error('the sandbox exited before it was ready');
}

describe('the sandbox process', () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('starts from the environment, answers /healthz, and exits 0 on SIGTERM', async () => {
    const child = launch({ SANDBOX_SMTP_PORT: '0', SANDBOX_HTTP_PORT: '0', SANDBOX_TWILIO_AUTH_TOKEN: 'proc-token' });
    children.push(child);
    const url = await readyUrl(child);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('refuses to start with an unusable variable: exit code 2 and a message naming it', async () => {
    const child = launch({ SANDBOX_SMTP_PORT: 'smtp' });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code).toBe(2);
    expect(stderr).toMatch(/SANDBOX_SMTP_PORT must be a TCP port/);
  });
});
