import { describe, expect, it } from 'vitest';
import { SandboxConfigError, sandboxConfigFromEnv } from '@kindred/sandbox';

describe('sandbox configuration from the environment', () => {
  it('uses the documented defaults', () => {
    expect(sandboxConfigFromEnv({})).toEqual({
      smtpPort: 11025,
      httpPort: 18025,
      authToken: 'sandbox-auth-token',
      dataDir: undefined,
      host: undefined,
      callbackDelayMs: 0,
    });
  });

  it('treats empty variables as unset', () => {
    expect(sandboxConfigFromEnv({ SANDBOX_SMTP_PORT: '', SANDBOX_TWILIO_AUTH_TOKEN: '', SANDBOX_DATA_DIR: '' })).toMatchObject({
      smtpPort: 11025,
      authToken: 'sandbox-auth-token',
      dataDir: undefined,
    });
  });

  it('reads every variable', () => {
    expect(
      sandboxConfigFromEnv({
        SANDBOX_SMTP_PORT: '2525',
        SANDBOX_HTTP_PORT: '0',
        SANDBOX_TWILIO_AUTH_TOKEN: 'tok',
        SANDBOX_DATA_DIR: '/var/lib/sandbox',
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_SMS_CALLBACK_DELAY_MS: '250',
      }),
    ).toEqual({ smtpPort: 2525, httpPort: 0, authToken: 'tok', dataDir: '/var/lib/sandbox', host: '0.0.0.0', callbackDelayMs: 250 });
  });

  it.each([
    [{ SANDBOX_SMTP_PORT: 'smtp' }, /^SANDBOX_SMTP_PORT must be a TCP port/],
    [{ SANDBOX_SMTP_PORT: '-1' }, /^SANDBOX_SMTP_PORT must be a TCP port/],
    [{ SANDBOX_HTTP_PORT: '70000' }, /^SANDBOX_HTTP_PORT must be a TCP port/],
    [{ SANDBOX_TWILIO_AUTH_TOKEN: ' ' }, /^SANDBOX_TWILIO_AUTH_TOKEN must not be blank/],
    [{ SANDBOX_DATA_DIR: '  ' }, /^SANDBOX_DATA_DIR/],
    [{ SANDBOX_SMS_CALLBACK_DELAY_MS: 'soon' }, /^SANDBOX_SMS_CALLBACK_DELAY_MS/],
    [{ SANDBOX_SMTP_PORT: '12000', SANDBOX_HTTP_PORT: '12000' }, /SANDBOX_SMTP_PORT and SANDBOX_HTTP_PORT must differ/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => sandboxConfigFromEnv(env)).toThrow(SandboxConfigError);
    expect(() => sandboxConfigFromEnv(env)).toThrow(message);
  });
});
