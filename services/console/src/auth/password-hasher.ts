import { hash, verify } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** argon2id with the library's defaults (OWASP's minimum: m=19 MiB, t=2, p=1). */
export function argon2Hasher(): PasswordHasher {
  return {
    hash: (password) => hash(password),
    verify: async (stored, password) => {
      try {
        return await verify(stored, password);
      } catch {
        return false;
      }
    },
  };
}

export const passwordPolicy = { minLength: 12, maxLength: 256 } as const;

/** Returns a problem code, or undefined when the password is acceptable. */
export function passwordProblem(password: string): 'too_short' | 'too_long' | undefined {
  if (password.length < passwordPolicy.minLength) return 'too_short';
  if (password.length > passwordPolicy.maxLength) return 'too_long';
  return undefined;
}
