import { describe, expect, it } from 'vitest';
import { classifySmtpFailure, classifyTwilioFailure } from '../../src/domain/provider-errors.js';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('provider error classification', () => {
  it('SMTP 5xx is permanent, 4xx transient', () => {
    expect(classifySmtpFailure({ responseCode: 550 })).toMatchObject({ permanent: true, code: 'smtp_550' });
    expect(classifySmtpFailure({ responseCode: 451 })).toMatchObject({ permanent: false, code: 'smtp_451' });
  });

  it('timeouts and reset connections are transient for both providers', () => {
    for (const classify of [classifySmtpFailure, classifyTwilioFailure]) {
      expect(classify(withCode('ETIMEDOUT'))).toMatchObject({ permanent: false, code: 'timeout' });
      expect(classify(withCode('ECONNRESET'))).toMatchObject({ permanent: false, code: 'network' });
    }
  });

  it('Twilio 21610, 21211 and 21614 are permanent', () => {
    for (const code of [21610, 21211, 21614]) {
      expect(classifyTwilioFailure({ status: 400, code })).toMatchObject({ permanent: true, code: `twilio_${code}` });
    }
  });

  it('Twilio 429 and 5xx are transient; 408 too', () => {
    expect(classifyTwilioFailure({ status: 429, code: 20429 })).toMatchObject({ permanent: false, code: 'twilio_429' });
    expect(classifyTwilioFailure({ status: 503, code: 20500 })).toMatchObject({ permanent: false, code: 'twilio_503' });
    expect(classifyTwilioFailure({ status: 408 })).toMatchObject({ permanent: false });
  });

  it('an unknown failure is transient so that bounded retries decide', () => {
    expect(classifyTwilioFailure(new Error('boom')).permanent).toBe(false);
    expect(classifySmtpFailure('not an error').permanent).toBe(false);
  });
});
