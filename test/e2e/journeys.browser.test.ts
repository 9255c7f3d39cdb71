import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { consoleConfigSchema, startConsole, type RunningConsole } from '@kindred/console';
import { createLogger, loadConfig } from '@kindred/platform';
import { sandboxClient, type SandboxClient } from '@kindred/sandbox';
import { uniqueName, waitFor } from '@kindred/testkit';
import { CONSOLE_TOKEN, startKindred } from './kindred-world.js';

/**
 * The two journeys of issue 7 in Chromium, on intake, matching, the notifier and the console running for real
 * against the shared Kafka, MongoDB-wire, Redis, SMTP capture and SMS sandbox. Newcomers use the HTML intake form;
 * peers enroll through the JSON API beforehand.
 */

const screenshots = fileURLToPath(new URL('../../.kindred/screenshots/', import.meta.url));
const chromiumPath = process.env['KINDRED_CHROMIUM'] ?? '/usr/bin/chromium';
const password = 'a long coordinator passphrase';
const run = randomBytes(4).toString('hex');
const noticeVersion = '2026-01';
const evenings = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '18:00', end: '21:00' }));
const waitLong = { timeoutMs: 45_000 };

/** US mobile numbers in the 201-555 block, distinct within the run; the world's own Twilio account keeps other runs' SMS apart. */
const firstPhone = randomInt(1000, 9000);
let phonesGiven = 0;
const phoneNumber = () => `+1201555${String(firstPhone + phonesGiven++)}`;

let kindred: Awaited<ReturnType<typeof startKindred>>;
let consoleApp: RunningConsole;
let browser: Browser;
let sandbox: SandboxClient;

interface PeerSpec {
  readonly firstName: string;
  readonly locale: 'en' | 'es';
  readonly languages: readonly string[];
  readonly topics: readonly string[];
  readonly recoveryStartedOn: string;
}

function peerEnrollment(spec: PeerSpec) {
  return {
    firstName: spec.firstName,
    contact: { email: `${spec.firstName.toLowerCase()}-${run}@example.org`, phone: phoneNumber() },
    preferredChannel: 'email',
    locale: spec.locale,
    timeZone: 'America/Chicago',
    languages: spec.languages,
    ageBand: '45_54',
    gender: 'woman',
    topics: spec.topics,
    meetingModes: ['video', 'phone'],
    availability: evenings,
    recoveryStartedOn: spec.recoveryStartedOn,
    capacity: 2,
    certified: true,
    consents: { contactByEmail: true, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion },
  };
}

async function postJson(path: string, body: unknown): Promise<string> {
  const response = await fetch(`${kindred.intakeUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as { id?: string };
  if (response.status !== 201 || json.id === undefined) throw new Error(`POST ${path} answered ${response.status}`);
  return json.id;
}

async function enroll(spec: PeerSpec) {
  const enrollment = peerEnrollment(spec);
  return { ...enrollment, id: await postJson('/v1/peers', enrollment) };
}

/** What this world's notifier sent to a number (the sandbox is shared; other runs use other Twilio accounts). */
async function smsTo(phone: string) {
  return (await sandbox.listSms({ to: phone })).filter((m) => m.accountSid === kindred.twilioAccountSid);
}

const allStates = [
  events.MatchState.MATCH_STATE_PROPOSED,
  events.MatchState.MATCH_STATE_APPROVED,
  events.MatchState.MATCH_STATE_INTRODUCED,
  events.MatchState.MATCH_STATE_ACTIVE,
  events.MatchState.MATCH_STATE_NEEDS_ATTENTION,
  events.MatchState.MATCH_STATE_DECLINED,
  events.MatchState.MATCH_STATE_CLOSED,
  events.MatchState.MATCH_STATE_REMATCH_REQUESTED,
];

async function proposalFor(find: (m: { newcomerId: string; peerId: string; matchId: string }) => boolean, description: string) {
  return waitFor(async () => (await kindred.coordinator.listProposals({ pageSize: 200 })).matches.find(find), { ...waitLong, description });
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: ./kindred test installs Debian's chromium package`);
  kindred = await startKindred('e2e_journeys');
  sandbox = sandboxClient(kindred.infra.sandboxUrl ?? '');
  const config = loadConfig('console', consoleConfigSchema, {
    CONSOLE_HTTP_PORT: '0',
    REDIS_URL: kindred.infra.redisUrl,
    CONSOLE_REDIS_PREFIX: `${uniqueName('e2e_journeys')}:`,
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

/** A phone-sized page, as most newcomers will see the form. */
async function newcomerPage(locale: string): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 412, height: 915 }, locale })).newPage();
}

async function signIn(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1024, height: 1366 }, locale: 'en-US' })).newPage();
  await page.goto(`${consoleApp.url}/login`);
  await page.getByLabel('Username').fill('cora');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  return page;
}

/** The page's first heading, or the form's error summary when the form came back with errors. */
async function outcomeOf(page: Page): Promise<string> {
  await page.waitForLoadState('domcontentloaded');
  const summary = page.locator('.error-summary');
  if ((await summary.count()) > 0) return `form errors: ${(await summary.innerText()).replace(/\s+/g, ' ')}`;
  return page.getByRole('heading', { level: 1 }).innerText();
}

async function submitSpanishIntake(page: Page, person: { firstName: string; email: string; phone: string }) {
  await page.goto(`${kindred.intakeUrl}/intake?lang=es`);
  expect(await page.locator('html').getAttribute('lang')).toBe('es');
  await page.getByLabel('Nombre (o el nombre que prefiera)').fill(person.firstName);
  await page.getByRole('textbox', { name: 'Correo electrónico' }).fill(person.email);
  await page.getByRole('textbox', { name: 'Número de móvil, con código de país' }).fill(person.phone);
  await page.getByRole('group', { name: '¿Cómo prefiere que le contactemos?' }).getByLabel('Mensaje de texto (SMS)').check();
  await page.getByLabel('Su zona horaria').selectOption('America/Chicago');
  await page.getByRole('group', { name: 'Idiomas en los que puede hablar' }).getByLabel('Español', { exact: true }).check();
  await page.getByRole('group', { name: 'Su edad' }).getByLabel('25–34').check();
  await page.getByRole('group', { name: 'Su género (opcional)' }).getByLabel('Mujer', { exact: true }).check();
  await page.getByRole('group', { name: '¿Con quién le gustaría hablar?' }).getByLabel('Sin preferencia').check();
  await page.getByRole('group', { name: /^¿Por qué ha pasado\?/ }).getByLabel('Duelo y pérdida').check();
  await page.getByRole('group', { name: '¿Cómo le gustaría reunirse?' }).getByLabel('Videollamada').check();
  for (const day of ['Lunes', 'Miércoles', 'Viernes']) {
    const row = page.getByRole('group', { name: day, exact: true });
    await row.getByLabel('de', { exact: true }).fill('18:00');
    await row.getByLabel('a', { exact: true }).fill('21:00');
  }
  await page.getByLabel('¿Qué espera del apoyo entre pares?').fill('Hablar con alguien que entienda la pérdida');
  const screener = page.getByRole('group', { name: 'Algunas preguntas sobre cómo se siente' });
  const questions = screener.getByRole('group');
  expect(await questions.count()).toBe(7);
  for (const question of await questions.all()) await question.getByLabel('No', { exact: true }).check();
  await page.getByLabel('Pueden contactarme por correo electrónico').check();
  await page.getByLabel('Pueden contactarme por mensaje de texto').check();
  await page.getByLabel('Pueden compartir mi nombre con la persona con quien me emparejen').check();
  await page.getByLabel('Pueden decir a la persona con quien me emparejen qué experiencias compartimos').check();
  await page.screenshot({ path: `${screenshots}journey-1-intake-form.png`, fullPage: true });
  await page.getByRole('button', { name: 'Enviar' }).click();
}

describe('the journeys of Kindred, in Chromium, on the real services and servers', () => {
  it('a Spanish-speaking newcomer fills in the form; the coordinator approves the explained proposal; peer and newcomer are introduced by email and SMS, each in their own language; the console shows it delivered, then active', async () => {
    // Bilingual, but she reads her own mail in English: the two introductions must come out in different languages.
    const rosa = await enroll({ firstName: 'Rosa', locale: 'en', languages: ['es', 'en'], topics: ['grief', 'anxiety'], recoveryStartedOn: '2012-03-01' });
    const lucia = { firstName: 'Lucía', email: `lucia-${run}@example.org`, phone: phoneNumber() };

    // The newcomer, on her phone, in Spanish.
    const form = await newcomerPage('es-MX');
    await submitSpanishIntake(form, lucia);
    expect(await outcomeOf(form)).toBe('Gracias: hemos recibido su solicitud');
    expect(await form.locator('html').getAttribute('lang')).toBe('es');
    expect(await form.getByRole('alert').count()).toBe(0); // no crisis panel for a calm screener
    await form.screenshot({ path: `${screenshots}journey-1-intake-thanks.png`, fullPage: true });
    await form.context().close();

    // Matching proposes Rosa, the only peer who shares Spanish (and grief) with her.
    const proposal = await proposalFor((m) => m.peerId === rosa.id, 'a proposal of Rosa');
    const detail = (await kindred.coordinator.getMatch(proposal.matchId)).match;
    expect(detail?.newcomer?.languages).toEqual(['es']);
    expect(detail?.newcomer?.topics).toEqual([events.Topic.TOPIC_GRIEF]);
    expect(detail?.newcomer?.timeZone).toBe('America/Chicago');
    // The console lists the reasons strongest first.
    const sentences = [...(detail?.factors ?? [])].sort((a, b) => b.contribution - a.contribution).map((f) => f.sentence).filter((s) => s !== '');
    expect(sentences.length).toBeGreaterThan(0);

    // The coordinator finds it in the queue with the language filter and opens it.
    const page = await signIn();
    await page.getByLabel('Language (code, e.g. es)').fill('es');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/language=es/);
    const proposals = page.getByRole('region', { name: 'Proposals' });
    const row = proposals.getByRole('link', { name: proposal.newcomerDisplayLabel });
    await row.waitFor();
    expect(await proposals.locator('tbody tr').count()).toBe(1);
    await page.screenshot({ path: `${screenshots}journey-1-queue.png`, fullPage: true });
    await row.click();
    await page.waitForURL(new RegExp(`/matches/${proposal.matchId}$`));

    // The explanation: the score per factor and the engine's sentences, without the newcomer's contact data.
    await page.getByRole('heading', { name: 'Why this peer' }).waitFor();
    expect((await page.locator('ul.sentences li').allInnerTexts()).map((s) => s.trim())).toEqual(sentences);
    expect(sentences.join(' ')).toMatch(/grief/i);
    const shown = await page.locator('main').innerText();
    for (const secret of [lucia.email, lucia.phone, lucia.firstName, rosa.contact.email, rosa.contact.phone]) expect(shown).not.toContain(secret);
    await page.screenshot({ path: `${screenshots}journey-1-match-detail.png`, fullPage: true });

    // Approve, through the confirmation step.
    await page.getByText('Approve…').click();
    await page.getByRole('button', { name: 'Confirm approval' }).click();
    await page.waitForURL(/notice=approved/);

    // The mails, each in its recipient's language, with what each may know of the other.
    const [peerMail, ...morePeerMail] = await sandbox.waitForMail(rosa.contact.email, waitLong);
    const [newcomerMail, ...moreNewcomerMail] = await sandbox.waitForMail(lucia.email, waitLong);
    expect(peerMail?.subject).toBe('A new Kindred introduction');
    expect(peerMail?.text).toContain('Hi Rosa,');
    expect(peerMail?.text).toContain(`We'd like to introduce you to ${lucia.firstName}, who is new to peer support`);
    expect(peerMail?.text).toContain('You both have lived experience of grief.');
    expect(peerMail?.text).toContain(`Email: ${lucia.email}`);
    expect(peerMail?.text).toContain(`Phone or text: ${lucia.phone}`);
    expect(newcomerMail?.subject).toBe('Tu presentación de Kindred');
    expect(newcomerMail?.text).toContain(`Hola, ${lucia.firstName}:`);
    expect(newcomerMail?.text).toContain('Hemos encontrado una persona de apoyo entre pares para ti: Rosa.');
    expect(newcomerMail?.text).toContain('Comparten experiencia vivida con duelo.');
    expect(newcomerMail?.text).toContain('llama o envía un mensaje al 988');
    expect(newcomerMail?.text).not.toContain(rosa.contact.email);
    expect(peerMail?.html).toContain('<html lang="en">');
    expect(newcomerMail?.html).toContain('<html lang="es">');

    // The SMS, likewise; never a topic.
    const peerSms = await waitFor(async () => (await smsTo(rosa.contact.phone))[0], { ...waitLong, description: 'the SMS to Rosa' });
    const newcomerSms = await waitFor(async () => (await smsTo(lucia.phone))[0], { ...waitLong, description: 'the SMS to Lucía' });
    expect(peerSms.body).toMatch(/^Kindred: meet Luc[ií]a, new to peer support\./);
    expect(peerSms.body).toContain('Reply STOP to opt out.');
    expect(newcomerSms.body).toContain('tenemos una persona de apoyo para ti: Rosa.');
    expect(newcomerSms.body).toContain('Responde STOP para darte de baja.');
    for (const text of [peerMail?.subject ?? '', newcomerMail?.subject ?? '', peerSms.body, newcomerSms.body]) {
      expect(text.toLowerCase()).not.toMatch(/grief|duelo/);
    }

    // The console shows all four introductions delivered.
    const introductions = page.getByRole('region', { name: 'Introductions' });
    const rows = async () => (await Promise.all((await introductions.locator('tbody tr').all()).map(async (r) => (await r.locator('td').allInnerTexts()).slice(0, 3).join(' / ')))).sort();
    await expect
      .poll(
        async () => {
          await page.reload();
          return rows();
        },
        { timeout: 45_000, interval: 500 },
      )
      .toEqual(['Newcomer / Email / delivered', 'Newcomer / SMS / delivered', 'Peer / Email / delivered', 'Peer / SMS / delivered']);
    await page.screenshot({ path: `${screenshots}journey-1-delivered.png`, fullPage: true });

    // Exactly once each.
    expect(morePeerMail).toHaveLength(0);
    expect(moreNewcomerMail).toHaveLength(0);
    expect(await sandbox.listMail({ to: rosa.contact.email })).toHaveLength(1);
    expect(await sandbox.listMail({ to: lucia.email })).toHaveLength(1);
    expect(await smsTo(rosa.contact.phone)).toHaveLength(1);
    expect(await smsTo(lucia.phone)).toHaveLength(1);

    // They met: the coordinator marks the match active. A late delivery outcome may still bump the version
    // between the page load and the submit (a conflict page); then the page is loaded again and it is tried again.
    await expect
      .poll(
        async () => {
          await page.goto(`${consoleApp.url}/matches/${proposal.matchId}`);
          if ((await page.locator('main').innerText()).includes('This match is active')) return 'active';
          await page.getByText('They have met — mark active…').click();
          await page.getByRole('button', { name: 'Confirm they have met' }).click();
          await page.waitForLoadState('domcontentloaded');
          return page.url().includes('notice=marked_active') ? 'active' : 'retry';
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('active');
    expect(await page.locator('main').innerText()).toContain('This match is active');
    await page.context().close();
  }, 150_000);

  it('an imminent-risk intake shows crisis resources at once and is urgent on top of the console; no peer is ever contacted; the next newcomer, declined, goes to the next candidate', async () => {
    // Two peers either of whom the urgent newcomer would match on every other rule.
    const harriet = await enroll({ firstName: 'Harriet', locale: 'en', languages: ['en'], topics: ['loneliness', 'caregiver_stress'], recoveryStartedOn: '2008-01-01' });
    const imogen = await enroll({ firstName: 'Imogen', locale: 'en', languages: ['en'], topics: ['loneliness'], recoveryStartedOn: '2016-01-01' });
    const casey = { email: `casey-${run}@example.org`, phone: phoneNumber() };

    const form = await newcomerPage('en-US');
    await form.goto(`${kindred.intakeUrl}/intake`);
    await form.getByLabel('First name (or the name you prefer)').fill('Casey');
    await form.getByRole('textbox', { name: 'Email address' }).fill(casey.email);
    await form.getByRole('textbox', { name: 'Mobile phone number, with country code' }).fill(casey.phone);
    await form.getByRole('group', { name: 'How should we contact you?' }).getByLabel('Email', { exact: true }).check();
    await form.getByLabel('Your time zone').selectOption('America/Chicago');
    await form.getByRole('group', { name: 'Languages you can talk in' }).getByLabel('English', { exact: true }).check();
    await form.getByRole('group', { name: 'Your age' }).getByLabel('25–34').check();
    await form.getByRole('group', { name: 'Who would you like to talk to?' }).getByLabel('No preference').check();
    await form.getByRole('group', { name: /^What have you lived through\?/ }).getByLabel('Loneliness').check();
    await form.getByRole('group', { name: 'How would you like to meet?' }).getByLabel('Video call').check();
    const tuesday = form.getByRole('group', { name: 'Tuesday', exact: true });
    await tuesday.getByLabel('from', { exact: true }).fill('18:00');
    await tuesday.getByLabel('to', { exact: true }).fill('21:00');
    const answer = (question: string, choice: 'Yes' | 'No') => form.getByRole('group', { name: question }).getByLabel(choice, { exact: true }).check();
    await answer('In the past month, have you wished you were dead or wished you could go to sleep and not wake up?', 'Yes');
    await answer('In the past month, have you had any actual thoughts of killing yourself?', 'Yes');
    await answer('Have you been thinking about how you might do this?', 'Yes');
    await answer('Have you had these thoughts and had some intention of acting on them?', 'Yes');
    await answer('Have you ever done anything, started to do anything, or prepared to do anything to end your life?', 'No');
    await form.getByLabel('You may contact me by email').check();
    await form.getByLabel('You may contact me by text message').check();
    await form.getByLabel('You may share my first name with the person I am matched with').check();
    await form.getByRole('button', { name: 'Send' }).click();

    // At once, on the response page, before anything else: the crisis lines and the emergency number.
    const outcome = await outcomeOf(form);
    const crisis = form.getByRole('alert');
    expect(await crisis.count(), outcome).toBe(1);
    expect(await crisis.getByRole('heading').innerText()).toBe('You do not have to wait. Help is available right now.');
    expect(await crisis.locator('a[href="tel:988"]').innerText()).toBe('988');
    expect(await crisis.locator('a[href="sms:988"]').innerText()).toBe('988');
    expect(await crisis.getByRole('link', { name: 'Chat online' }).getAttribute('href')).toBe('https://988lifeline.org/chat/');
    expect(await crisis.locator('a[href="tel:911"]').innerText()).toBe('911');
    expect(await crisis.innerText()).toContain('We have asked a coordinator to reach out to you first.');
    const crisisBox = await crisis.boundingBox();
    const thanksBox = await form.getByRole('heading', { level: 1, name: 'Thank you — we received your request' }).boundingBox();
    expect(crisisBox !== null && thanksBox !== null && crisisBox.y < thanksBox.y).toBe(true);
    await form.screenshot({ path: `${screenshots}journey-2-crisis-resources.png`, fullPage: true });
    await form.context().close();

    // Matching holds the intake as urgent (the newcomer's id comes from the console's urgent list).
    const urgent = await waitFor(async () => (await kindred.coordinator.listUrgentNewcomers()).newcomers[0], { ...waitLong, description: 'the urgent newcomer' });
    expect(urgent.riskLevel).toBe(events.RiskLevel.RISK_LEVEL_IMMINENT);

    // The barrier: a calm newcomer with the same needs arrives after the urgent one was taken in. Once matching has
    // proposed for them, every round that could have proposed for the urgent newcomer has run.
    const dana = {
      firstName: 'Dana',
      contact: { email: `dana-${run}@example.org` },
      preferredChannel: 'email',
      locale: 'en',
      timeZone: 'America/Chicago',
      languages: ['en'],
      ageBand: '25_34',
      genderPreference: { kind: 'none', mustHave: false },
      topics: ['loneliness'],
      meetingModes: ['video'],
      availability: evenings,
      consents: { contactByEmail: true, contactBySms: false, shareFirstName: true, shareTopics: true, noticeVersion },
      screener: { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false },
    };
    const danaId = await postJson('/v1/intakes', dana);
    const first = await proposalFor((m) => m.newcomerId === danaId, 'a proposal for the barrier newcomer');
    expect([harriet.id, imogen.id]).toContain(first.peerId);

    // The console: the urgent newcomer, with the crisis guidance, on top, above the barrier newcomer's proposal.
    const page = await signIn();
    const urgentRegion = page.getByRole('region', { name: 'Urgent: people at risk' });
    const urgentItem = urgentRegion.locator('.urgent-item').filter({ hasText: urgent.displayLabel });
    expect(await urgentItem.innerText()).toContain('Risk: imminent');
    const proposalRow = page.getByRole('region', { name: 'Proposals' }).getByRole('row', { name: first.newcomerDisplayLabel });
    const urgentBox = await urgentItem.boundingBox();
    const proposalBox = await proposalRow.boundingBox();
    expect(urgentBox !== null && proposalBox !== null && urgentBox.y + urgentBox.height <= proposalBox.y).toBe(true);
    expect(await page.getByRole('region', { name: 'Proposals' }).innerText()).not.toContain(urgent.displayLabel);
    await page.screenshot({ path: `${screenshots}journey-2-urgent-queue.png`, fullPage: true });

    // Never matched: no match in any state, no match in the audit trail, and nothing sent to any peer or to them.
    const everyMatch = (await kindred.coordinator.listProposals({ states: allStates, pageSize: 200 })).matches;
    expect(everyMatch.filter((m) => m.newcomerId === urgent.newcomerId)).toEqual([]);
    expect(everyMatch.some((m) => m.newcomerId === danaId)).toBe(true);
    expect((await kindred.coordinator.listAudit({ subjectId: urgent.newcomerId })).entries.filter((e) => e.matchId !== '')).toEqual([]);
    expect((await kindred.coordinator.listAudit({ subjectId: danaId })).entries.map((e) => e.action)).toContain('match.proposed');
    const stillUrgent = (await kindred.coordinator.listUrgentNewcomers()).newcomers.find((n) => n.newcomerId === urgent.newcomerId);
    expect(stillUrgent?.currentMatchId).toBe('');

    // Decline the barrier's proposal in the console: the other peer is proposed next.
    await page.goto(`${consoleApp.url}/matches/${first.matchId}`);
    await page.getByText('Decline…').click();
    await page.getByLabel('Reason for declining').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Confirm decline' }).click();
    await page.waitForURL(/notice=declined_next/);
    const next = await proposalFor((m) => m.newcomerId === danaId && m.matchId !== first.matchId, 'the next proposal for the barrier newcomer');
    expect(next.peerId).toBe(first.peerId === harriet.id ? imogen.id : harriet.id);
    expect(page.url()).toContain(`/matches/${next.matchId}`);
    await page.context().close();

    for (const address of [harriet.contact.email, imogen.contact.email, casey.email]) expect(await sandbox.listMail({ to: address })).toEqual([]);
    for (const phone of [harriet.contact.phone, imogen.contact.phone, casey.phone]) expect(await smsTo(phone)).toEqual([]);
  }, 120_000);
});
