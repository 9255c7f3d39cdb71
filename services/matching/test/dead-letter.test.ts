// Outcome: poison messages go to the consumer group's dead-letter topic and the partition moves on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEWCOMERS_TOPIC } from '@kindred/contracts';
import { deadLetterHeaders, ensureTopics } from '@kindred/platform';
import { readTopics, waitFor, type TopicReader } from '@kindred/testkit';
import { createWorld, newcomerRegistered, type World } from './support/matching-harness.js';

let world: World;
let dead: TopicReader;
let groupId: string;

beforeAll(async () => {
  world = await createWorld('match_dlq', { partitions: 1 });
  groupId = `${world.namespace}_group`;
  await ensureTopics(world.kafka, [`${groupId}.dlq`], { numPartitions: 1 });
  dead = await readTopics(world.infra.kafkaBrokers, [`${groupId}.dlq`]);
  await world.start({ MATCHING_GROUP_ID: groupId });
});

afterAll(async () => {
  await dead.stop();
  await world.stop();
});

describe('a poison message', () => {
  it('that is not an envelope lands in the dead-letter topic, and the next event is processed', async () => {
    const topic = world.topic(NEWCOMERS_TOPIC);
    await world.publishRaw(topic, 'nc_garbage', Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]));
    await world.publish(newcomerRegistered('nc_after_garbage'), 'nc_after_garbage');

    await waitFor(() => world.newcomers().findOne({ _id: 'nc_after_garbage' }).then((n) => n ?? undefined), { description: 'the next event' });
    const letter = await waitFor(() => dead.records.find((r) => r.key === 'nc_garbage'), { description: 'the dead letter' });
    expect(letter.value).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]));
    expect(letter.headers[deadLetterHeaders.stage]).toBe('decode');
    expect(letter.headers[deadLetterHeaders.originalTopic]).toBe(topic);
    expect(letter.headers[deadLetterHeaders.consumerGroup]).toBe(groupId);
  });

  it('that breaks the contract (an unknown time zone) is dead-lettered at once, names the field, and stores nothing', async () => {
    const bad = await world.publish(newcomerRegistered('nc_bad_zone', { timeZone: 'Mars/Olympus_Mons' }), 'nc_bad_zone');
    await world.publish(newcomerRegistered('nc_after_bad_zone'), 'nc_after_bad_zone');

    await waitFor(() => world.newcomers().findOne({ _id: 'nc_after_bad_zone' }).then((n) => n ?? undefined), { description: 'the next event' });
    const letter = await waitFor(() => dead.records.find((r) => r.headers['kindred-event-id'] === bad.eventId), { description: 'the dead letter' });
    expect(letter.headers[deadLetterHeaders.errorCode]).toBe('MATCH.INVALID_EVENT');
    expect(letter.headers[deadLetterHeaders.errorMessage]).toContain('time_zone');
    expect(letter.headers[deadLetterHeaders.attempts]).toBe('1');
    expect(await world.newcomers().countDocuments({ _id: 'nc_bad_zone' })).toBe(0);
  });

  it('a delivery outcome for a match that does not exist is dead-lettered, not retried forever', async () => {
    const ghost = await world.publish(
      { $case: 'introductionFailed', introductionFailed: { deliveryId: 'dl_x', matchId: 'mt_ghost', recipientId: 'pr_x', role: 1, channel: 2, errorCode: 'twilio_21610', permanent: true, reason: 'unsubscribed' } },
      'mt_ghost',
    );
    const letter = await waitFor(() => dead.records.find((r) => r.headers['kindred-event-id'] === ghost.eventId), { description: 'the dead letter' });
    expect(letter.headers[deadLetterHeaders.errorCode]).toBe('MATCH.NOT_FOUND');
  });
});
