import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/domain/delivery.types.js';
import { deliveryIdFor, planIntroduction, unreachableRecipients } from '../../src/domain/plan-introduction.js';
import { backoffDelay } from '../../src/domain/backoff.js';

function contact(subjectId: string, consents: Partial<Contact['consents']>, overrides: Partial<Contact> = {}): Contact {
  return {
    subjectId,
    firstName: 'X',
    email: 'x@example.org',
    phoneE164: '+15550000000',
    locale: 'en',
    timeZone: 'UTC',
    consents: { email: false, sms: false, shareFirstName: true, shareTopics: true, ...consents },
    ...overrides,
  };
}

const match = { matchId: 'm1', newcomerId: 'n1', peerId: 'p1', sharedTopics: ['grief'], shareTopicsConsented: true };

describe('planning an introduction', () => {
  it('plans one delivery per recipient and channel, sending only what each consented to', () => {
    const plan = planIntroduction(match, { peer: contact('p1', { email: true, sms: true }), newcomer: contact('n1', { email: true }) });
    expect(plan).toHaveLength(4);
    const summary = plan.map((d) => `${d.role}/${d.channel}/${d.decision.kind === 'send' ? 'send' : d.decision.reason}`);
    expect(summary).toEqual(['peer/email/send', 'peer/sms/send', 'newcomer/email/send', 'newcomer/sms/no_consent']);
  });

  it('suppresses a consented channel with no address', () => {
    const plan = planIntroduction(match, { peer: contact('p1', { sms: true }, { phoneE164: '' }), newcomer: contact('n1', { email: true }) });
    expect(plan.find((d) => d.role === 'peer' && d.channel === 'sms')?.decision).toEqual({ kind: 'suppress', reason: 'no_address' });
    expect(unreachableRecipients(plan)).toEqual(['p1']);
  });

  it('derives a stable delivery id that is a valid job id', () => {
    expect(deliveryIdFor('m1', 'p1', 'email')).toBe(deliveryIdFor('m1', 'p1', 'email'));
    expect(deliveryIdFor('m1', 'p1', 'email')).not.toBe(deliveryIdFor('m1', 'p1', 'sms'));
    expect(deliveryIdFor('m1', 'p1', 'email')).toMatch(/^dlv_[0-9a-f]{32}$/);
  });
});

describe('retry backoff', () => {
  it('doubles per attempt up to the cap, with jitter within the upper half', () => {
    const policy = { baseMs: 1000, maxMs: 8000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(10, policy, () => 1)).toBe(8000);
    expect(backoffDelay(10, policy, () => 0)).toBe(4000);
  });
});
