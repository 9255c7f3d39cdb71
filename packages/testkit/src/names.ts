import { randomBytes } from 'node:crypto';

/** Every name a test makes starts with this, so a later run can find and remove what earlier runs left behind. */
export const TEST_NAME_PREFIX = 'kt_';

/**
 * A name no other test file uses: each file gets its own topics, database and Redis prefix, so files run in
 * parallel against one set of servers. Safe for Kafka topics, MongoDB database names and BullMQ prefixes.
 * Shape: `kt_<prefix>_<creation time, base 36>_<random>`.
 */
export function uniqueName(prefix: string): string {
  return `${TEST_NAME_PREFIX}${prefix.replace(/[^a-zA-Z0-9_]/g, '_')}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** When the test name at the start of `value` was made, or undefined when `value` is not one. */
export function testNameCreatedAt(value: string): number | undefined {
  const match = /^kt_[a-zA-Z0-9_]*?_([0-9a-z]{6,10})_[0-9a-f]{8}/.exec(value);
  if (!match?.[1]) return undefined;
  const time = parseInt(match[1], 36);
  // A plausible creation time only (2024 to a day ahead), so a name that merely looks alike is left alone.
  return Number.isFinite(time) && time > Date.UTC(2024, 0, 1) && time < Date.now() + 86_400_000 ? time : undefined;
}
