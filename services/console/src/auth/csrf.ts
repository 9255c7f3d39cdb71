import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens without server state: the token is an HMAC of what the form is bound to — the session
 * key when signed in, a random pre-session nonce (its own cookie) on the sign-in form. A token from another
 * session, another visitor or an old secret does not verify.
 */
export interface Csrf {
  tokenFor(binding: string): string;
  verify(binding: string, token: unknown): boolean;
}

export function hmacCsrf(secret: string): Csrf {
  const tokenFor = (binding: string) => createHmac('sha256', secret).update(`csrf:${binding}`).digest('base64url');
  return {
    tokenFor,
    verify(binding, token) {
      if (typeof token !== 'string' || binding.length === 0) return false;
      const expected = Buffer.from(tokenFor(binding));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
