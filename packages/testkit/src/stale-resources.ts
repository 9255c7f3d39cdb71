import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { testNameCreatedAt, TEST_NAME_PREFIX } from './names.js';
import { unlinkRedisKeys } from './redis-keys.js';

export interface StaleCleanup {
  readonly topics: number;
  readonly groups: number;
  readonly databases: number;
  readonly redisKeys: number;
}

/**
 * Removes what earlier test runs left on long-lived local servers — topics, consumer groups, databases and Redis
 * keys whose test name (see uniqueName) was made more than `olderThanMs` ago — so the servers do not grow with every
 * run. Only names made by uniqueName are touched, and only old ones, so a test run going on at the same time keeps
 * its own. Meant for the native servers only, never for an external cluster.
 */
export async function removeStaleTestResources(
  servers: { readonly kafkaBrokers: readonly string[]; readonly mongoUrl: string; readonly redisUrl: string },
  olderThanMs: number,
  now = Date.now(),
): Promise<StaleCleanup> {
  const stale = (name: string) => {
    const createdAt = testNameCreatedAt(name);
    return createdAt !== undefined && createdAt < now - olderThanMs;
  };

  const kafka = new Kafka({ clientId: 'kindred-test-cleanup', brokers: [...servers.kafkaBrokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let topics = 0;
  let groups = 0;
  try {
    const oldTopics = (await admin.listTopics()).filter(stale);
    for (let i = 0; i < oldTopics.length; i += 100) {
      const chunk = oldTopics.slice(i, i + 100);
      await admin.deleteTopics({ topics: chunk, timeout: 30_000 });
      topics += chunk.length;
    }
    const oldGroups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => stale(id));
    for (let i = 0; i < oldGroups.length; i += 100) {
      const chunk = oldGroups.slice(i, i + 100);
      try {
        await admin.deleteGroups(chunk);
        groups += chunk.length;
      } catch {
        // A group with a member still attached cannot be deleted; the next run gets it.
      }
    }
  } finally {
    await admin.disconnect();
  }

  const mongo = new MongoClient(servers.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  await mongo.connect();
  let databases = 0;
  try {
    const { databases: all } = await mongo.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of all) {
      if (!stale(name)) continue;
      await mongo.db(name).dropDatabase();
      databases += 1;
    }
  } finally {
    await mongo.close();
  }

  const redisKeys = await unlinkRedisKeys(servers.redisUrl, `${TEST_NAME_PREFIX}*`, stale);
  return { topics, groups, databases, redisKeys };
}
