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

/**
 * `{"<token>": {"actor": "co_1", "role": "coordinator"}, …}`. A token with `"delegates": true` belongs to a client
 * that signs its own users in (the console): each call names the acting user in `x-kindred-actor` (and may narrow
 * the role with `x-kindred-role`), so the audit trail records the coordinator, not the console. The token's role is
 * the most such a call can have.
 */
export const tokenMapSchema = z.record(
  z.string().min(16, 'tokens must be at least 16 characters'),
  z.object({ actor: z.string().min(1).max(128), role: z.enum(ROLES), delegates: z.boolean().optional() }).strict(),
);

export interface TokenHolder extends Principal {
  readonly delegates: boolean;
}

export type TokenMap = ReadonlyMap<string, TokenHolder>;

export function tokenMap(raw: z.output<typeof tokenMapSchema>): TokenMap {
  return new Map(Object.entries(raw).map(([token, holder]) => [token, { actor: holder.actor, role: holder.role, delegates: holder.delegates ?? false }]));
}

const actorPattern = /^[A-Za-z0-9_.:@-]{1,128}$/;

function header(metadata: Metadata, name: string): string | undefined {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value : value?.toString('utf8');
}

/**
 * Reads `authorization: Bearer <token>`; a missing or unknown token is UNAUTHENTICATED. For a delegating token the
 * principal is the user named in `x-kindred-actor` (required), with the role in `x-kindred-role` if given — never
 * more than the token's own role (PERMISSION_DENIED).
 */
export function authenticate(metadata: Metadata, tokens: TokenMap): Principal {
  const value = header(metadata, 'authorization');
  const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value.trim());
  const holder = match?.[1] === undefined ? undefined : tokens.get(match[1]);
  if (holder === undefined) throw new AppError('AUTH.UNAUTHENTICATED', 'a valid bearer token is required');
  if (!holder.delegates) return { actor: holder.actor, role: holder.role };

  const actor = header(metadata, 'x-kindred-actor')?.trim();
  if (actor === undefined || !actorPattern.test(actor)) {
    throw new AppError('AUTH.UNAUTHENTICATED', 'this client must name the acting user in x-kindred-actor');
  }
  const requestedRole = header(metadata, 'x-kindred-role')?.trim();
  if (requestedRole === undefined || requestedRole === '') return { actor, role: holder.role };
  const role = ROLES.find((r) => r === requestedRole);
  if (role === undefined) throw new AppError('AUTH.UNAUTHENTICATED', 'x-kindred-role must be viewer, coordinator or admin');
  if (ROLES.indexOf(role) > ROLES.indexOf(holder.role)) {
    throw new AppError('AUTH.PERMISSION_DENIED', `this client may act as ${holder.role} at most, not ${role}`);
  }
  return { actor, role };
}

/** Reads are open to every role; changes need a coordinator or an admin. */
export function authorize(principal: Principal, allowed: readonly Role[]): void {
  if (!allowed.includes(principal.role)) {
    throw new AppError('AUTH.PERMISSION_DENIED', `role ${principal.role} may not do this`);
  }
}

export const READERS: readonly Role[] = ['viewer', 'coordinator', 'admin'];
export const DECIDERS: readonly Role[] = ['coordinator', 'admin'];
