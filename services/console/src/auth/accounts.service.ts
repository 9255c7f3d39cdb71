import { AppError } from '@kindred/platform';
import { isValidUsername, normaliseUsername, type Account, type AccountRepository } from './account.repository.js';
import type { LoginThrottle } from './login-throttle.js';
import { passwordProblem, type PasswordHasher } from './password-hasher.js';
import type { Role } from './roles.js';
import type { SessionStore } from './session.store.js';

export type SignInResult = { readonly ok: true; readonly token: string; readonly account: Account } | { readonly ok: false };

export interface Accounts {
  /** Validates, hashes and stores; throws AppError ACCOUNT.* with a specific code on bad input. */
  create(input: { username: string; password: string; roles: readonly Role[] }): Promise<Account>;
  /** One answer for every failure (unknown user, wrong password, locked), so that it reveals nothing. */
  signIn(username: string, password: string): Promise<SignInResult>;
  /** Disabling also ends every session of the account at once. */
  setDisabled(id: string, disabled: boolean): Promise<boolean>;
}

export function accountsService(deps: {
  repository: AccountRepository;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  sessions: SessionStore;
}): Accounts {
  const { repository, hasher, throttle, sessions } = deps;
  // Verifying against a real hash for unknown users keeps their answer as slow as a wrong password.
  const decoy = hasher.hash('decoy-password-for-timing');

  return {
    async create(input) {
      if (!isValidUsername(input.username)) {
        throw new AppError('ACCOUNT.INVALID_USERNAME', 'username must be 3-64 lowercase letters, digits, . _ or -');
      }
      const problem = passwordProblem(input.password);
      if (problem) throw new AppError('ACCOUNT.WEAK_PASSWORD', `password is ${problem.replace('_', ' ')} (12-256 characters)`);
      if (input.roles.length === 0) throw new AppError('ACCOUNT.NO_ROLE', 'an account needs at least one role');
      return repository.create({ username: input.username, roles: input.roles, passwordHash: await hasher.hash(input.password) });
    },
    async signIn(rawUsername, password) {
      const username = normaliseUsername(rawUsername);
      if (username.length === 0 || username.length > 64 || password.length === 0 || password.length > 256) return { ok: false };
      if (await throttle.isLocked(username)) return { ok: false };
      const account = await repository.findByUsername(username);
      const valid = account ? await hasher.verify(account.passwordHash, password) : (await hasher.verify(await decoy, password), false);
      if (!account || !valid || account.disabled) {
        await throttle.recordFailure(username);
        return { ok: false };
      }
      await throttle.recordSuccess(username);
      return { ok: true, token: await sessions.create(account.id), account };
    },
    async setDisabled(id, disabled) {
      const found = await repository.setDisabled(id, disabled);
      if (found && disabled) await sessions.destroyAllFor(id);
      return found;
    },
  };
}
