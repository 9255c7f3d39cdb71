export { testInfra, type TestInfra } from './infra.js';
export { TEST_NAME_PREFIX, testNameCreatedAt, uniqueName } from './names.js';
export { removeStaleTestResources, type StaleCleanup } from './stale-resources.js';
export { waitFor, type WaitOptions } from './wait-for.js';
export { readTopics, type ReadRecord, type TopicReader } from './topic-reader.js';
export { latePort, type LatePort } from './late-port.js';
export { unlinkRedisKeys } from './redis-keys.js';
