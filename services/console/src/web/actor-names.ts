import type { AccountRepository } from '../auth/account.repository.js';

/**
 * The audit trail records pseudonymous account ids; coordinators read usernames. Ids this console does not
 * know (another console's, or `system:<component>`) stay as they are.
 */
export async function actorNames(repository: AccountRepository, actors: readonly string[]): Promise<(actor: string) => string> {
  const ids = [...new Set(actors.filter((a) => a.startsWith('u_')))];
  const found = await Promise.all(ids.map(async (id) => [id, (await repository.findById(id))?.username] as const));
  const names = new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
  return (actor) => names.get(actor) ?? actor;
}
