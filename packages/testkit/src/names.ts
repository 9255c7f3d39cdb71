import { randomBytes } from 'node:crypto';

/**
 * A name no other test file uses: each file gets its own topics, database and Redis prefix, so files run in
 * parallel against one set of servers. Safe for Kafka topics, MongoDB database names and BullMQ prefixes.
 */
export function uniqueName(prefix: string): string {
  return `${prefix.replace(/[^a-zA-Z0-9_]/g, '_')}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
