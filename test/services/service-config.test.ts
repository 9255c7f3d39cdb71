import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const services = ['intake', 'matching', 'notifier', 'console'] as const;

function startWith(service: (typeof services)[number], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const main = fileURLToPath(new URL(`../../services/${service}/src/main.ts`, import.meta.url));
  return new Promise((resolve) => {
    // Only PATH and HOME from the outside: the service must find every other setting missing.
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe.each(services)('the %s service with bad configuration', (service) => {
  it('stops at start with a message naming the missing variables, not a stack trace', async () => {
    const { code, stderr } = await startWith(service, {});
    expect(code).toBe(78);
    expect(stderr).toContain(`${service}: invalid configuration`);
    expect(stderr).toMatch(/ - [A-Z_]+: is required but not set/);
    expect(stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack frames
  });

  it('names a malformed variable and says what it must look like', async () => {
    const { code, stderr } = await startWith(service, { LOG_LEVEL: 'loud' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/ - LOG_LEVEL: /);
  });
});
