/**
 * The README's test command (`./kindred test`, also `.ci/run`): bring up the real servers, run the static checks and
 * the whole vitest suite, then print one closing line `N passed, N failed` for CI.
 * Arguments after `--` go to vitest (e.g. `./kindred test -- services/intake`); `--skip-checks` runs tests only.
 * After vitest, the fault suite (test/faults, `./kindred faults`) runs on an instance of its own; each of its
 * invariants counts as one test. It is skipped with `--skip-faults`, when vitest runs only some tests, and outside
 * native mode (it restarts servers, which only the native launcher can do).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseInfraMode } from '../test/setup/infra-mode.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipChecks = args.includes('--skip-checks');
const skipFaults = args.includes('--skip-faults');
const vitestArgs = args.filter((arg) => arg !== '--skip-checks' && arg !== '--skip-faults' && arg !== '--');

function run(command: string, commandArgs: readonly string[], capture: boolean): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: process.env });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
    child.on('error', (error) => resolve({ code: 1, output: error.message }));
  });
}

const failedChecks: string[] = [];

const mode = await chooseInfraMode();
process.stderr.write(`[kindred] infrastructure mode: ${mode}\n`);
if (mode === 'native') {
  const started = await run('pnpm', ['--silent', 'infra', 'up'], false);
  if (started.code !== 0) {
    process.stderr.write('[kindred] the local servers did not start; see the message above\n');
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  }
}

if (!skipChecks) {
  const checks: [string, string, string[]][] = [
    ['generated contracts are current', 'pnpm', ['--silent', 'proto:check']],
    ['types', 'pnpm', ['--silent', 'typecheck']],
    ['lint', 'pnpm', ['--silent', 'lint']],
  ];
  for (const [name, command, commandArgs] of checks) {
    process.stderr.write(`[kindred] check: ${name} ... `);
    const result = await run(command, commandArgs, true);
    if (result.code === 0) {
      process.stderr.write('ok\n');
    } else {
      process.stderr.write('FAILED\n');
      process.stderr.write(result.output.split('\n').slice(-80).join('\n') + '\n');
      failedChecks.push(name);
    }
  }
}

const resultsFile = join(root, '.kindred', 'test-results.json');
rmSync(resultsFile, { force: true });
const vitest = await run('pnpm', ['exec', 'vitest', 'run', ...vitestArgs], false);

let passed = 0;
let failed = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number; success: boolean };
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  // A suite that failed to load (an import error, say) has no failed test but must still fail the run.
  if (vitest.code !== 0 && failed === 0) failed = 1;
} else if (vitest.code !== 0) {
  failed = 1;
}
let faultsFailed = false;
if (skipFaults || vitestArgs.length > 0 || mode !== 'native') {
  process.stderr.write(`[kindred] fault suite skipped (${skipFaults ? '--skip-faults' : vitestArgs.length > 0 ? 'only some tests were asked for' : `infrastructure mode ${mode}`})\n`);
} else {
  process.stderr.write('[kindred] fault suite (./kindred faults): services killed and servers restarted under load, then the invariants\n');
  const faultResultsFile = join(root, '.kindred', 'fault-results.json');
  rmSync(faultResultsFile, { force: true });
  const suite = await run('node', ['--import', 'tsx', 'test/faults/run-fault-suite.ts'], false);
  if (existsSync(faultResultsFile)) {
    const results = JSON.parse(readFileSync(faultResultsFile, 'utf8')) as { invariants: { name: string; checked: number; violations: number }[] };
    for (const invariant of results.invariants) {
      if (invariant.violations === 0) passed += 1;
      else failed += 1;
    }
    faultsFailed = suite.code !== 0;
    if (faultsFailed && results.invariants.every((invariant) => invariant.violations === 0)) failed += 1;
  } else {
    process.stderr.write('[kindred] the fault suite did not complete (see its output above)\n');
    faultsFailed = true;
    failed += 1;
  }
}
failed += failedChecks.length;
if (failedChecks.length > 0) process.stderr.write(`[kindred] failed checks: ${failedChecks.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || vitest.code !== 0 || faultsFailed ? 1 : 0);
