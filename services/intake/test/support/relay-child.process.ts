// A relay in its own process, for the crash test: it publishes, announces it on stdout, then hangs in the mark
// step until the parent SIGKILLs it — a real crash between publish and mark.
import { MongoClient } from 'mongodb';
import { createKafka, createLogger, createRecordPublisher } from '@kindred/platform';
import { createOutboxRelay } from '../../src/outbox/outbox.relay.js';
import { createMongoOutboxStore } from '../../src/outbox/outbox.store.js';

const [mongoUrl, dbName, brokers] = process.argv.slice(2);
if (!mongoUrl || !dbName || !brokers) throw new Error('usage: relay-child <mongoUrl> <db> <brokers>');
const client = new MongoClient(mongoUrl);
await client.connect();
const store = createMongoOutboxStore(client.db(dbName));
const log = createLogger({ service: 'relay-child', level: 'silent' });
const publisher = await createRecordPublisher(createKafka({ brokers: brokers.split(','), clientId: 'relay-child', log }));
const relay = createOutboxRelay({
  store: {
    claimNext: (owner, leaseMs) => store.claimNext(owner, leaseMs),
    claimHinted: (hint, owner, leaseMs) => store.claimHinted(hint, owner, leaseMs),
    release: (claim) => store.release(claim),
    markSent: (claim) => {
      process.stdout.write(`published ${claim.aggregateId}\n`);
      return new Promise<void>(() => undefined); // never marks: the parent kills us here
    },
  },
  publisher,
  log,
  pollMs: 50,
  leaseMs: 1000,
});
process.stdout.write('ready\n');
await relay.drain();
