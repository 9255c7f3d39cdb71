import { describe, expect, it } from 'vitest';
import type { Locale, RecipientRole } from '../../src/domain/delivery.types.js';
import { renderIntroductionEmail, renderIntroductionSms, type IntroductionInput } from '../../src/domain/introduction-templates.js';
import { countSegments } from '../../src/domain/sms-segments.js';
import { TOPIC_LABELS } from '../../src/domain/topic-labels.js';

const allTopics = Object.keys(TOPIC_LABELS);
const allLabels = Object.values(TOPIC_LABELS).flatMap((labels) => [labels.en, labels.es]);

function input(overrides: Partial<IntroductionInput> = {}): IntroductionInput {
  return {
    role: 'peer',
    locale: 'en',
    recipientFirstName: 'Rosa',
    counterpartFirstName: 'Ana',
    counterpartReach: { email: 'ana@example.org', phone: '+15550001111' },
    sharedTopics: ['depression', 'anxiety'],
    unsubscribeUrl: 'https://kindred.example/unsubscribe/dlv_1',
    ...overrides,
  };
}

const cases: { role: RecipientRole; locale: Locale }[] = [
  { role: 'peer', locale: 'en' },
  { role: 'peer', locale: 'es' },
  { role: 'newcomer', locale: 'en' },
  { role: 'newcomer', locale: 'es' },
];

describe('introduction content is discreet', () => {
  it.each(cases)('never names a diagnosis in the subject or the SMS ($role, $locale)', ({ role, locale }) => {
    const data = input({ role, locale, sharedTopics: allTopics });
    const email = renderIntroductionEmail(data);
    const sms = renderIntroductionSms(data);
    for (const label of allLabels) {
      expect(email.subject.toLowerCase()).not.toContain(label.toLowerCase());
      expect(sms.toLowerCase()).not.toContain(label.toLowerCase());
    }
    expect(email.subject).not.toContain('Ana');
  });

  it.each(cases)('keeps the SMS within two segments, even with long names and addresses ($role, $locale)', ({ role, locale }) => {
    const long = input({
      role,
      locale,
      recipientFirstName: 'Maximiliana Guadalupe Esperanza',
      counterpartFirstName: 'Bartholomew-Alexander Montgomery',
      counterpartReach: { email: `${'a'.repeat(60)}@${'b'.repeat(60)}.example.org`, phone: '+15550001111' },
    });
    expect(countSegments(renderIntroductionSms(long)).segments).toBeLessThanOrEqual(2);
  });

  it('names shared topics in the email body only when given, in the recipient language', () => {
    const en = renderIntroductionEmail(input());
    expect(en.text).toContain('depression and anxiety');
    const es = renderIntroductionEmail(input({ locale: 'es' }));
    expect(es.text).toContain('depresión y ansiedad');
    expect(es.subject).toBe('Una nueva presentación de Kindred');
    const withoutConsent = renderIntroductionEmail(input({ sharedTopics: [] }));
    expect(withoutConsent.text).not.toMatch(/depression|anxiety|lived experience of/);
  });

  it('tells the peer how to reach the newcomer, and the newcomer what happens next', () => {
    const peer = renderIntroductionEmail(input());
    expect(peer.text).toContain('ana@example.org');
    expect(peer.text).toContain('+15550001111');
    const newcomer = renderIntroductionEmail(input({ role: 'newcomer', counterpartFirstName: 'Rosa', counterpartReach: {} }));
    expect(newcomer.text).toContain('Rosa');
    expect(newcomer.text).toContain('What happens next');
    expect(newcomer.text).toContain('988');
  });

  it('uses a neutral description when the other person did not agree to share their first name', () => {
    const peer = renderIntroductionEmail(input({ counterpartFirstName: null }));
    expect(peer.text).toContain('someone new to peer support');
    expect(renderIntroductionSms(input({ counterpartFirstName: null }))).toContain('someone new to peer support');
  });

  it('escapes names in HTML', () => {
    const html = renderIntroductionEmail(input({ counterpartFirstName: 'Ana & "Bo"' })).html;
    expect(html).toContain('Ana &amp; &quot;Bo&quot;');
  });
});
