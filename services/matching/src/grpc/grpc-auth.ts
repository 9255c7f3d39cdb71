import type { Metadata } from '@grpc/grpc-js';
import { AppError } from '@kindred/platform';
import { z } from 'zod';

export const ROLES = ['viewer', 'coordinator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Pseudonymous user id recorded in the audit trail. */
  readonly actor: string;
  readonly role: Role;
}

/** `{"<token>": {"actor": "co_1", "role": "coordinator"}, …}`: the console's service tokens per signed-in role. */
export const tokenMapSchema = z.record(
  z.string().min(16, 'tokens must be at least 16 characters'),
  z.object({ actor: z.string().min(1).max(128), role: z.enum(ROLES) }).strict(),
);

export type TokenMap = ReadonlyMap<string, Principal>;

export function tokenMap(raw: z.output<typeof tokenMapSchema>): TokenMap {
  return new Map(Object.entries(raw).map(([token, principal]) => [token, principal]));
}

/** Reads `authorization: Bearer <token>`; a missing or unknown token is UNAUTHENTICATED. */
export function authenticate(metadata: Metadata, tokens: TokenMap): Principal {
  const header = metadata.get('authorization')[0];
  const value = typeof header === 'string' ? header : header?.toString('utf8');
  const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value.trim());
  const principal = match?.[1] === undefined ? undefined : tokens.get(match[1]);
  if (principal === undefined) throw new AppError('AUTH.UNAUTHENTICATED', 'a valid bearer token is required');
  return principal;
}

/** Reads are open to every role; changes need a coordinator or an admin. */
export function authorize(principal: Principal, allowed: readonly Role[]): void {
  if (!allowed.includes(principal.role)) {
    throw new AppError('AUTH.PERMISSION_DENIED', `role ${principal.role} may not do this`);
  }
}

export const READERS: readonly Role[] = ['viewer', 'coordinator', 'admin'];
export const DECIDERS: readonly Role[] = ['coordinator', 'admin'];
