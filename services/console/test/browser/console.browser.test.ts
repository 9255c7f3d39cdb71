import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { password, startHarness, users, type Harness } from '../support/console.harness.js';
import { launchChromium } from '../support/chromium.js';

const screenshots = fileURLToPath(new URL('../../../../.kindred/screenshots/', import.meta.url));

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  // Secure cookies as in production: Chromium accepts them on a loopback address over http.
  h = await startHarness({ CONSOLE_COOKIE_SECURE: 'true' });
  browser = await launchChromium();
  await mkdir(screenshots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function signIn(context: BrowserContext, username: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
  return page;
}

/** Serious and critical WCAG 2.x A/AA violations on the page as it stands. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('a coordinator in Chromium', () => {
  it('signs in, sees the urgent intake on top, opens a proposal and its explanation, approves it, declines another and sees the next candidate', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 1366 } });
    const page = await signIn(context, users.coordinator.username);
    expect(new URL(page.url()).pathname).toBe('/queue');
    const session = (await context.cookies()).find((c) => c.name === 'kc_sid');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    await expect.poll(() => page.getByText('Signed in as cora').isVisible()).toBe(true);

    // Urgent intake first: its section sits above the proposals, with the crisis guidance.
    const urgent = page.getByRole('region', { name: 'Urgent: people at risk' });
    const proposals = page.getByRole('region', { name: 'Proposals' });
    await expect.poll(() => urgent.getByText('Newcomer 7F3K').isVisible()).toBe(true);
    await expect.poll(() => urgent.getByText(/call or text 988/).isVisible()).toBe(true);
    const urgentBox = await urgent.boundingBox();
    const proposalsBox = await proposals.boundingBox();
    expect(urgentBox && proposalsBox && urgentBox.y < proposalsBox.y).toBe(true);
    const rows = await proposals.locator('tbody tr th a').allTextContents();
    expect(rows).toEqual(['Newcomer 5HUR', 'Newcomer 3FJA', 'Newcomer 9TQE']);
    await page.screenshot({ path: `${screenshots}queue.png`, fullPage: true });

    // Open a proposal and read why.
    await page.getByRole('link', { name: 'Newcomer 3FJA' }).click();
    await page.waitForURL(/\/matches\/m-old$/);
    await expect.poll(() => page.getByRole('heading', { name: 'Why this peer' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Shares 1 of 2 topics: Anxiety.').isVisible()).toBe(true);
    await expect.poll(() => page.getByText(/Shared experience: 0\.28 points/).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Already carries as many matches as they can.').isVisible()).toBe(true);
    await page.screenshot({ path: `${screenshots}match-detail.png`, fullPage: true });

    // Approve, through the confirmation step.
    await expect.poll(() => page.getByRole('button', { name: 'Confirm approval' }).isVisible()).toBe(false);
    await page.getByText('Approve…').click();
    await page.getByRole('button', { name: 'Confirm approval' }).click();
    await page.waitForURL(/notice=approved/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Approved');
    expect(h.matching.mutations().filter((c) => c.method === 'approveMatch').map((c) => c.actor)).toEqual([h.ids.coordinator]);

    // Decline another with a reason; the next candidate for that newcomer appears.
    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('link', { name: 'Newcomer 9TQE' }).click();
    await page.waitForURL(/\/matches\/m-mid$/);
    await page.getByText('Decline…').click();
    await page.getByLabel('Reason for declining').selectOption({ label: 'Logistics (language, schedule, meeting mode)' });
    await page.getByRole('button', { name: 'Confirm decline' }).click();
    await page.waitForURL(/\/matches\/m-mid-2\?notice=declined_next$/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('next candidate');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Newcomer 9TQE and Peer W4RN');
    await page.screenshot({ path: `${screenshots}next-candidate.png`, fullPage: true });
    await context.close();
  });

  it('reaches the skip link first from the keyboard, and it moves focus to the main content', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, users.coordinator.username);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
    await context.close();
  });
});

describe('accessibility (axe-core): no serious or critical violations', () => {
  const coordinatorPages = ['/queue', '/queue?lang=es', '/matches/m-fresh', '/matches/m-attn', '/peers', '/follow-up', '/insights', '/matches/missing-match'];

  it('the check itself catches a page with real violations', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent('<html><body><img src="x.png"><form><input name="q"></form><a href="/x"></a></body></html>');
    const found = await seriousViolations(page);
    expect(found.join('\n')).toMatch(/image-alt/);
    expect(found.join('\n')).toMatch(/label/);
    await context.close();
  });

  it('on the sign-in page, including after a failed attempt', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.url}/login`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it.each(coordinatorPages)('on %s, with every confirmation step opened, on a tablet', async (path) => {
    const context = await browser.newContext({ viewport: { width: 768, height: 1024 } });
    const page = await signIn(context, users.coordinator.username);
    await page.goto(`${h.url}${path}`);
    for (const summary of await page.locator('summary').all()) await summary.click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${screenshots}tablet-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`, fullPage: true });
    // Nothing scrolls sideways on a tablet except inside the tables' own scroll areas.
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await context.close();
  });

  it('on the admin pages and on a refusal', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, users.admin.username);
    for (const path of ['/admin/accounts', '/insights', '/queue']) {
      await page.goto(`${h.url}${path}`);
      for (const summary of await page.locator('summary').all()) await summary.click();
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await context.close();
  });
});
