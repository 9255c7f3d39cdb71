import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleConfigSchema, startConsole, type RunningConsole } from '@kindred/console';
import { createLogger, loadConfig } from '@kindred/platform';
import { uniqueName, waitFor } from '@kindred/testkit';
import { CONSOLE_TOKEN, startKindred } from './kindred-world.js';

const screenshots = fileURLToPath(new URL('../../.kindred/screenshots/', import.meta.url));
const chromiumPath = process.env['KINDRED_CHROMIUM'] ?? '/usr/bin/chromium';
const password = 'a long coordinator passphrase';
const run = randomBytes(3).toString('hex');
const noticeVersion = '2026-01';
const evenings = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '18:00', end: '21:00' }));
const calm = { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false };

let kindred: Awaited<ReturnType<typeof startKindred>>;
let consoleApp: RunningConsole;
let browser: Browser;

const peer = (name: string, topics: string[], recoveryStartedOn: string, n: number) => ({
  firstName: name,
  contact: { email: `${name.toLowerCase()}-${run}@example.org` },
  preferredChannel: 'email',
  locale: 'en',
  timeZone: 'America/Chicago',
  languages: ['en'],
  ageBand: '45_54',
  gender: 'woman',
  topics,
  meetingModes: ['video'],
  availability: evenings,
  recoveryStartedOn,
  capacity: n,
  certified: true,
  consents: { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion },
});

const newcomer = (name: string, topics: string[], screener: Record<string, boolean> = calm) => ({
  firstName: name,
  contact: { email: `${name.toLowerCase()}-${run}@example.org` },
  preferredChannel: 'email',
  locale: 'en',
  timeZone: 'America/Chicago',
  languages: ['en'],
  ageBand: '25_34',
  gender: 'woman',
  genderPreference: { kind: 'none', mustHave: false },
  topics,
  meetingModes: ['video'],
  availability: evenings,
  consents: { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion },
  screener,
});

async function post(path: string, body: unknown): Promise<string> {
  const response = await fetch(`${kindred.intakeUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as { id?: string };
  if (response.status !== 201 || json.id === undefined) throw new Error(`POST ${path} answered ${response.status}`);
  return json.id;
}

async function proposalFor(newcomerId: string, notMatchId?: string) {
  return waitFor(
    async () =>
      (await kindred.coordinator.listProposals({ pageSize: 100 })).matches.find((m) => m.newcomerId === newcomerId && m.matchId !== notMatchId),
    { timeoutMs: 45_000, description: `a proposal for ${newcomerId}` },
  );
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: ./kindred test installs Debian's chromium package`);
  kindred = await startKindred('e2e_console');
  const config = loadConfig('console', consoleConfigSchema, {
    CONSOLE_HTTP_PORT: '0',
    REDIS_URL: kindred.infra.redisUrl,
    CONSOLE_REDIS_PREFIX: `${uniqueName('e2e_console')}:`,
    MATCHING_GRPC_ADDR: kindred.matchingGrpcAddress,
    MATCHING_SERVICE_TOKEN: CONSOLE_TOKEN,
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('hex'),
    CONSOLE_COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
  });
  consoleApp = await startConsole({ config, log: createLogger({ service: 'console', level: 'silent' }) });
  await consoleApp.accounts.create({ username: 'cora', password, roles: ['coordinator'] });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await consoleApp?.stop();
  await kindred?.stop();
});

async function signIn(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1024, height: 1366 } })).newPage();
  await page.goto(`${consoleApp.url}/login`);
  await page.getByLabel('Username').fill('cora');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
  await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Queue' }).isVisible()).toBe(true);
  return page;
}

describe('the console on the real matching service and notifier, in Chromium', () => {
  it('shows the urgent intake on top, explains a proposal, approves it until delivered, marks it active once they met, and declines another to the next candidate', async () => {
    // Two peers share grief; the one further along in recovery with more overlap ranks first for Blair.
    await post('/v1/peers', peer('Harriet', ['grief', 'anxiety'], '2008-01-01', 2));
    await post('/v1/peers', peer('Imogen', ['grief'], '2016-01-01', 2));
    const urgentId = await post('/v1/intakes', newcomer('Casey', ['grief'], { wishToBeDead: true, suicidalThoughts: true, thoughtsWithMethod: true, intentToAct: true, planWithIntent: true, suicidalBehavior: false }));
    const approveId = await post('/v1/intakes', newcomer('Avery', ['anxiety', 'grief']));
    const declineId = await post('/v1/intakes', newcomer('Blair', ['grief']));
    const toApprove = await proposalFor(approveId);
    const toDecline = await proposalFor(declineId);

    const page = await signIn();
    const urgent = page.getByRole('region', { name: 'Urgent: people at risk' });
    const proposals = page.getByRole('region', { name: 'Proposals' });
    await expect.poll(async () => (await urgent.textContent()) ?? '', { timeout: 30_000 }).toMatch(/988/);
    const urgentBox = await urgent.boundingBox();
    const proposalsBox = await proposals.boundingBox();
    expect(urgentBox !== null && proposalsBox !== null && urgentBox.y < proposalsBox.y).toBe(true);
    expect(urgentId).not.toBe('');
    await page.screenshot({ path: `${screenshots}e2e-queue.png`, fullPage: true });

    // The proposal and the reasons behind it.
    await page.goto(`${consoleApp.url}/matches/${toApprove.matchId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Why this peer' }).isVisible()).toBe(true);
    const explanation = (await page.locator('main').textContent()) ?? '';
    expect(explanation).toMatch(/grief/i);
    expect(explanation).not.toContain(`avery-${run}@example.org`);
    await page.screenshot({ path: `${screenshots}e2e-match-detail.png`, fullPage: true });

    // Approve; the notifier sends, and the match page shows the delivery once the provider confirmed it.
    await page.getByText('Approve…').click();
    await page.getByRole('button', { name: 'Confirm approval' }).click();
    await page.waitForURL(/notice=approved/);
    await expect
      .poll(
        async () => {
          await page.reload();
          return ((await page.locator('main').textContent()) ?? '').match(/delivered/gi)?.length ?? 0;
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: `${screenshots}e2e-delivered.png`, fullPage: true });

    // They met: the coordinator marks the introduced match active. Late delivery outcomes may still bump the
    // version between the reload and the submit (a conflict page); then the page is reloaded and it is tried again.
    await expect
      .poll(
        async () => {
          await page.goto(`${consoleApp.url}/matches/${toApprove.matchId}`);
          const main = (await page.locator('main').textContent()) ?? '';
          if (main.includes('This match is active')) return 'active';
          await page.getByText('They have met — mark active…').click();
          await page.getByRole('button', { name: 'Confirm they have met' }).click();
          await page.waitForLoadState('domcontentloaded');
          return page.url().includes('notice=marked_active') ? 'active' : 'retry';
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('active');
    expect((await page.locator('main').textContent()) ?? '').toContain('This match is active');

    // Decline Blair's proposal with a reason; the next-best peer is proposed.
    await page.goto(`${consoleApp.url}/matches/${toDecline.matchId}`);
    await page.getByText('Decline…').click();
    await page.getByLabel('Reason for declining').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Confirm decline' }).click();
    await page.waitForLoadState('domcontentloaded');
    const next = await proposalFor(declineId, toDecline.matchId);
    expect(next.peerId).not.toBe(toDecline.peerId);
    await page.close();
  });
});
