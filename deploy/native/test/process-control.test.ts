import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, isOurProcess, spawnDetached, stopProcess } from '#src/process-control.js';

describe('processes the launcher starts and stops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindred-proc-test-'));
  const pids: number[] = [];
  afterAll(async () => {
    for (const pid of pids) await stopProcess(pid, 1_000);
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (script: string): Promise<number> => {
    const child = await spawnDetached({
      command: process.execPath,
      args: ['-e', script, 'kindred-proc-test-marker'],
      cwd: dir,
      env: process.env,
      logFile: join(dir, 'child.log'),
    });
    pids.push(child.pid);
    return child.pid;
  };

  it('recognises its own process by command line and working directory, and no other', async () => {
    const pid = await start('setInterval(() => {}, 1000)');
    expect(isOurProcess(pid, { cmdlineIncludes: ['kindred-proc-test-marker'], cwd: dir })).toBe(true);
    expect(isOurProcess(pid, { cmdlineIncludes: ['kafka.Kafka'] })).toBe(false);
    expect(isOurProcess(pid, { cmdlineIncludes: ['kindred-proc-test-marker'], cwd: '/' })).toBe(false);
  });

  it('stops a well-behaved process with SIGTERM', async () => {
    const pid = await start('setInterval(() => {}, 1000)');
    expect(await stopProcess(pid, 10_000)).toBe('terminated');
    expect(isAlive(pid)).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the grace period ends', async () => {
    const pid = await start("process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)");
    // Wait for the handler to be installed, else SIGTERM's default action ends it early.
    const { readFileSync } = await import('node:fs');
    await expect.poll(() => readFileSync(join(dir, 'child.log'), 'utf8'), { timeout: 10_000 }).toContain('ready');
    expect(await stopProcess(pid, 300)).toBe('killed');
    expect(isAlive(pid)).toBe(false);
  });
});
