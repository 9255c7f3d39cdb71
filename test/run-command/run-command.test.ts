import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testInfra, waitFor } from '@kindred/testkit';

const runLocal = fileURLToPath(new URL('../../deploy/run-local.ts', import.meta.url));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/**
 * A port base whose six ports (HTTP +0…+3, gRPC +11, +12) are free now. Below 32768, where Linux hands out ephemeral
 * ports to everyone else's connections, and clear of the native servers' ports.
 */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_100 + (randomBytes(2).readUInt16BE() % 250) * 20;
    const ports = [0, 1, 2, 3, 11, 12].map((offset) => base + offset);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the run command');
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

// The README's run command is the native one (Docker has deploy/docker-compose.yml), so it is proved in native mode.
describe.runIf(testInfra().mode === 'native')("the README's run command (./kindred up)", () => {
  it('starts the four services with demo data, prints where to open them, and stops them all on SIGTERM', async () => {
    const base = await freePortBase();
    const name = `runtest_${randomBytes(3).toString('hex')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', runLocal], {
      env: { ...process.env, KINDRED_PORT_BASE: String(base), KINDRED_RUN_NAME: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    try {
      await waitFor(() => output.includes('Kindred is running.') || child.exitCode !== null, { timeoutMs: 150_000, intervalMs: 250, description: 'the run command to finish starting' });
      expect(output).toContain('Kindred is running.');
      const urls = { console: `http://127.0.0.1:${base}`, intake: `http://127.0.0.1:${base + 1}`, matching: `http://127.0.0.1:${base + 2}`, notifier: `http://127.0.0.1:${base + 3}` };
      for (const url of Object.values(urls)) expect(await healthy(url), url).toBe(true);
      expect(output).toContain(`Coordinator console        ${urls.console}`);
      expect(output).toMatch(/demo data: \d+ peers and \d+ newcomers/);
      expect(output).toMatch(/console sign-in: "coordinator" or "admin", password \S+/);
      expect((await fetch(`${urls.intake}/intake`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    for (const port of [base, base + 1, base + 2, base + 3]) expect(await healthy(`http://127.0.0.1:${port}`), `port ${port}`).toBe(false);
  }, 200_000);
});
