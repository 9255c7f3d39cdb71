export { testInfra, type TestInfra } from './infra.js';
export { uniqueName } from './names.js';
export { waitFor, type WaitOptions } from './wait-for.js';
export { readTopics, type ReadRecord, type TopicReader } from './topic-reader.js';
