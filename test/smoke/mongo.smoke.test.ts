import { Schema } from 'mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, createLogger, isDuplicateKeyError, syncIndexes } from '@kindred/platform';
import { testInfra, uniqueName } from '@kindred/testkit';

const infra = testInfra();
let db: Connection;

interface ProcessedEvent {
  eventId: string;
  consumer: string;
}

beforeAll(async () => {
  db = await connectMongo({ url: infra.mongoUrl, dbName: uniqueName('smoke_mongo'), log: createLogger({ service: 'smoke', level: 'silent' }) });
  db.model<ProcessedEvent>(
    'ProcessedEvent',
    new Schema<ProcessedEvent>({ eventId: { type: String, required: true }, consumer: { type: String, required: true } }).index(
      { consumer: 1, eventId: 1 },
      { unique: true },
    ),
  );
  await syncIndexes(db);
});

afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

describe('MongoDB-wire server through mongoose', () => {
  it('rejects a second document with the same unique key, and keeps the first', async () => {
    const Processed = db.model<ProcessedEvent>('ProcessedEvent');
    await Processed.create({ eventId: '01J0000000000000000000000A', consumer: 'matching' });

    const duplicate = await Processed.create({ eventId: '01J0000000000000000000000A', consumer: 'matching' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(isDuplicateKeyError(duplicate)).toBe(true);
    expect(await Processed.countDocuments({ eventId: '01J0000000000000000000000A' })).toBe(1);
  });

  it('lets the same key exist under another consumer (the index is compound)', async () => {
    const Processed = db.model<ProcessedEvent>('ProcessedEvent');
    await Processed.create({ eventId: '01J0000000000000000000000B', consumer: 'matching' });
    await Processed.create({ eventId: '01J0000000000000000000000B', consumer: 'notifier' });
    expect(await Processed.countDocuments({ eventId: '01J0000000000000000000000B' })).toBe(2);
  });

  it('updates a document atomically only while its condition holds (the capacity reservation pattern)', async () => {
    // FerretDB 1.x has no $expr comparison, so free capacity is a stored counter guarded by the filter.
    const Peers = db.model('Peer', new Schema({ _id: String, freeSlots: Number }));
    await Peers.create({ _id: 'peer-1', freeSlots: 1 });
    const reserve = () => Peers.findOneAndUpdate({ _id: 'peer-1', freeSlots: { $gt: 0 } }, { $inc: { freeSlots: -1 } }, { new: true });

    const [first, second] = await Promise.all([reserve(), reserve()]);

    expect([first, second].filter((doc) => doc !== null)).toHaveLength(1);
    expect((await Peers.findById('peer-1'))?.get('freeSlots')).toBe(0);
  });
});
