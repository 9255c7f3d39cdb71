import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@kindred/platform';
import { isRole, type Role } from './roles.js';

export interface Account {
  /** Pseudonymous id: what the matching service's audit trail records as the actor. */
  readonly id: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly passwordHash: string;
  readonly createdAt: Date;
  /** A disabled account cannot sign in and its sessions end. */
  readonly disabled: boolean;
}

export interface NewAccount {
  readonly username: string;
  readonly roles: readonly Role[];
  readonly passwordHash: string;
}

export interface AccountRepository {
  create(account: NewAccount): Promise<Account>;
  findByUsername(username: string): Promise<Account | undefined>;
  findById(id: string): Promise<Account | undefined>;
  list(): Promise<Account[]>;
  /** False when there is no such account. */
  setDisabled(id: string, disabled: boolean): Promise<boolean>;
}

const usernamePattern = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function isValidUsername(username: string): boolean {
  return usernamePattern.test(normaliseUsername(username));
}

/** Accounts as Redis hashes under `prefix`; the username index is claimed with SET NX so two creates cannot collide. */
export function redisAccountRepository(redis: Redis, prefix: string): AccountRepository {
  const accountKey = (id: string) => `${prefix}account:${id}`;
  const usernameKey = (username: string) => `${prefix}account-by-username:${username}`;
  const allKey = `${prefix}accounts`;

  async function findById(id: string): Promise<Account | undefined> {
    const row = await redis.hgetall(accountKey(id));
    if (!row['id'] || !row['username'] || !row['passwordHash']) return undefined;
    return {
      id: row['id'],
      username: row['username'],
      roles: (row['roles'] ?? '').split(',').filter(isRole),
      passwordHash: row['passwordHash'],
      createdAt: new Date(Number(row['createdAt'] ?? 0)),
      disabled: row['disabled'] === '1',
    };
  }

  return {
    async create(input) {
      const username = normaliseUsername(input.username);
      if (!usernamePattern.test(username)) {
        throw new AppError('ACCOUNT.INVALID_USERNAME', 'username must be 3-64 lowercase letters, digits, . _ or -');
      }
      if (input.roles.length === 0) throw new AppError('ACCOUNT.NO_ROLE', 'an account needs at least one role');
      const id = `u_${randomBytes(10).toString('hex')}`;
      const claimed = await redis.set(usernameKey(username), id, 'NX');
      if (claimed !== 'OK') throw new AppError('ACCOUNT.USERNAME_TAKEN', 'that username is already taken');
      const createdAt = new Date();
      await redis
        .multi()
        .hset(accountKey(id), {
          id,
          username,
          roles: [...new Set(input.roles)].join(','),
          passwordHash: input.passwordHash,
          createdAt: String(createdAt.getTime()),
        })
        .sadd(allKey, id)
        .exec();
      return { id, username, roles: [...new Set(input.roles)], passwordHash: input.passwordHash, createdAt, disabled: false };
    },
    async findByUsername(username) {
      const id = await redis.get(usernameKey(normaliseUsername(username)));
      return id === null ? undefined : findById(id);
    },
    findById,
    async list() {
      const ids = await redis.smembers(allKey);
      const accounts = await Promise.all(ids.map(findById));
      return accounts.filter((a): a is Account => a !== undefined).sort((a, b) => a.username.localeCompare(b.username));
    },
    async setDisabled(id, disabled) {
      if ((await redis.exists(accountKey(id))) !== 1) return false;
      await redis.hset(accountKey(id), 'disabled', disabled ? '1' : '0');
      return true;
    },
  };
}
