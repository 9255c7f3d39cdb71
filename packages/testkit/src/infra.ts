import { inject } from 'vitest';

/** Addresses of the real servers, provided by test/setup/global-setup.ts (native launcher, Docker or external). */
export interface TestInfra {
  readonly mode: 'native' | 'docker' | 'external';
  readonly kafkaBrokers: readonly string[];
  readonly mongoUrl: string;
  readonly redisUrl: string;
  readonly smtpUrl: string;
  /** The SMTP capture + Twilio SMS sandbox HTTP API; absent when an external SMTP server is used without it. */
  readonly sandboxUrl: string | undefined;
  readonly twilioAuthToken: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfra;
  }
}

export function testInfra(): TestInfra {
  return inject('infra');
}
