import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { noticeVersion } from './support/fixtures.js';

let h: IntakeHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'intake_html' });
});
afterAll(async () => {
  await h.stop();
});

function newcomerForm(overrides: Record<string, string | string[] | undefined> = {}): URLSearchParams {
  const fields: Record<string, string | string[] | undefined> = {
    lang: 'en',
    formKey: `form_${Math.random().toString(36).slice(2)}_abcdefgh`,
    firstName: 'Jordan',
    'contact.email': 'jordan@example.org',
    'contact.phone': '',
    preferredChannel: 'email',
    timeZone: 'America/New_York',
    languages: ['en'],
    ageBand: '35_44',
    gender: 'nonbinary',
    'genderPreference.kind': 'none',
    topics: ['depression', 'loneliness'],
    meetingModes: ['phone'],
    region: '',
    'availability.1.start': '18:00',
    'availability.1.end': '20:00',
    hopes: 'Someone to talk to on Tuesdays',
    'consents.contactByEmail': 'yes',
    'consents.shareFirstName': 'yes',
    'consents.noticeVersion': noticeVersion,
    'screener.wishToBeDead': 'no',
    'screener.suicidalThoughts': 'no',
    'screener.suicidalBehavior': 'no',
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params;
}

const postForm = (path: string, form: URLSearchParams | string, headers: Record<string, string> = {}) =>
  fetch(`${h.app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form.toString() });

describe('HTML intake form', () => {
  it('serves an accessible English form that works without JavaScript', async () => {
    const res = await fetch(`${h.app.url}/intake`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toMatch(/<form method="post" action="\/intake"/);
    expect(page).not.toContain('<script');
    expect(page).toContain('<label for="f-firstName">');
    expect(page).toContain('<input id="f-firstName" name="firstName"');
    expect(page).toMatch(/<fieldset id="f-topics"[^>]*>\s*<legend>/);
    expect(page).toContain('value="trauma_ptsd"');
    expect(page).toContain(`name="consents.noticeVersion" value="${noticeVersion}"`);
  });

  it('speaks Spanish with ?lang=es or Accept-Language', async () => {
    const byQuery = await (await fetch(`${h.app.url}/intake?lang=es`)).text();
    expect(byQuery).toContain('<html lang="es">');
    expect(byQuery).toContain('Encuentre a alguien que ha pasado por lo mismo');
    const byHeader = await (await fetch(`${h.app.url}/intake`, { headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' } })).text();
    expect(byHeader).toContain('<html lang="es">');
  });

  it('accepts a valid submission and thanks the newcomer', async () => {
    const before = await h.db.collection('newcomers').countDocuments();
    const res = await postForm('/intake', newcomerForm());
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Thank you — we received your request');
    expect(page).not.toContain('crisis-title');
    expect(await h.db.collection('newcomers').countDocuments()).toBe(before + 1);
  });

  it('shows crisis resources at once for imminent risk, and the event is urgent', async () => {
    const res = await postForm('/intake', newcomerForm({ 'screener.suicidalThoughts': 'yes', 'screener.intentToAct': 'yes' }));
    expect(res.status).toBe(200);
    const page = await res.text();
    const crisisAt = page.indexOf('id="crisis-title"');
    expect(crisisAt).toBeGreaterThan(-1);
    expect(crisisAt).toBeLessThan(page.indexOf('<h1>'));
    expect(page).toContain('role="alert"');
    expect(page).toContain('<a href="tel:988">988</a>');
    expect(page).toContain('<a href="sms:988">988</a>');
    expect(page).toContain('https://988lifeline.org/chat/');
    expect(page).toContain('<a href="tel:911">');
    expect(page).toContain('We have asked a coordinator to reach out to you first.');

    const urgent = await h.db.collection('newcomers').findOne({ 'screening.urgent': true });
    expect(urgent).not.toBeNull();
    const events = await h.waitForEvents(h.topics.newcomers, 2);
    const event = events.find((e) => e.record.key === String(urgent!['_id']))!;
    if (event.envelope.event.$case !== 'newcomerRegistered') throw new Error('wrong payload');
    expect(event.envelope.event.newcomerRegistered.urgent).toBe(true);
  });

  it('shows Spanish crisis resources for a Spanish newcomer in Spain', async () => {
    const res = await postForm('/intake', newcomerForm({ lang: 'es', meetingModes: ['in_person'], region: 'ES-MD', 'screener.suicidalBehavior': 'yes', 'screener.behaviorPast3Months': 'yes' }));
    const page = await res.text();
    expect(page).toContain('No tiene que esperar. Hay ayuda disponible ahora mismo.');
    expect(page).toContain('<a href="tel:024">024</a>');
    expect(page).toContain('<a href="tel:112">');
  });

  it('re-shows an invalid form with a summary, errors next to the fields, the input kept and escaped', async () => {
    const before = await h.db.collection('newcomers').countDocuments();
    const res = await postForm('/intake', newcomerForm({ firstName: '<script>alert(1)</script>', 'contact.email': 'not-an-email', topics: undefined, timeZone: 'Nowhere/Land' }));
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('There is a problem with your answers');
    expect(page).toMatch(/<div class="error-summary" role="alert"/);
    expect(page).toContain('<a href="#f-contact-email">');
    expect(page).toContain('<a href="#f-topics">Choose at least one topic</a>');
    expect(page).toMatch(/<p class="error" id="f-contact-email-error">.*Enter an email address/);
    expect(page).toContain('aria-describedby="f-contact-email-error"');
    expect(page).toContain('aria-invalid="true"');
    expect(page).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('value="not-an-email"');
    expect(page).toContain('>Someone to talk to on Tuesdays</textarea>');
    expect(await h.db.collection('newcomers').countDocuments()).toBe(before);
  });

  it('maps an availability error back to the weekday row', async () => {
    const res = await postForm('/intake', newcomerForm({ 'availability.1.start': '18:00', 'availability.1.end': '18:00' }));
    const page = await res.text();
    expect(res.status).toBe(422);
    expect(page).toContain('id="f-availability-1-start-error"');
  });

  it('gives errors in Spanish', async () => {
    const res = await postForm('/intake', newcomerForm({ lang: 'es', 'contact.email': '', 'contact.phone': '' }));
    const page = await res.text();
    expect(page).toContain('Hay un problema con sus respuestas');
    expect(page).toContain('Indique un correo o un número de móvil');
  });

  it('treats a double submit of the same form as one intake', async () => {
    const form = newcomerForm({ formKey: 'double_submit_key_123456' });
    const before = await h.db.collection('newcomers').countDocuments();
    expect((await postForm('/intake', form)).status).toBe(200);
    expect((await postForm('/intake', form)).status).toBe(200);
    expect(await h.db.collection('newcomers').countDocuments()).toBe(before + 1);
  });

  it('refuses invalid UTF-8 in a form field without storing it', async () => {
    const before = await h.db.collection('newcomers').countDocuments();
    const res = await postForm('/intake', `${newcomerForm().toString()}&hopes=%C3%28`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('The text contains characters we cannot read');
    expect(await h.db.collection('newcomers').countDocuments()).toBe(before);
  });
});

describe('HTML peer enrollment form', () => {
  it('enrolls a peer and shows the edit token once', async () => {
    const page = await (await fetch(`${h.app.url}/peers/enroll?lang=es`)).text();
    expect(page).toContain('Hágase par de apoyo');
    const form = new URLSearchParams([
      ['lang', 'en'],
      ['formKey', 'peer_form_key_1234567890'],
      ['firstName', 'Sam'],
      ['contact.phone', '+1 201 555 0190'],
      ['preferredChannel', 'sms'],
      ['timeZone', 'America/Denver'],
      ['languages', 'en'],
      ['ageBand', '45_54'],
      ['gender', 'man'],
      ['recoveryStartedOn', '2012-05-01'],
      ['capacity', '2'],
      ['certified', 'yes'],
      ['topics', 'substance_use'],
      ['meetingModes', 'video'],
      ['availability.5.start', '10:00'],
      ['availability.5.end', '12:00'],
      ['consents.contactBySms', 'yes'],
      ['consents.noticeVersion', noticeVersion],
    ]);
    const res = await postForm('/peers/enroll', form);
    expect(res.status).toBe(200);
    const done = await res.text();
    expect(done).toContain('Thank you for enrolling');
    expect(done).toMatch(/<code>[A-Za-z0-9_-]{43}<\/code>/);
    expect(await h.db.collection('peers').countDocuments()).toBe(1);
  });
});
