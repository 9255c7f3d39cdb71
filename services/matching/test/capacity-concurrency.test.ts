// Outcome: stored capacity holds under concurrency: two instances on different partitions never overbook a peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEWCOMERS_TOPIC } from '@kindred/contracts';
import { waitFor } from '@kindred/testkit';
import { createPeerRepository, createWorld, newcomerRegistered, peerFromEvent, peerProfile, type World } from './support/matching-harness.js';

let world: World;

beforeAll(async () => {
  world = await createWorld('match_capacity', { partitions: 4 });
});

afterAll(async () => {
  await world.stop();
});

describe('capacity under concurrency', () => {
  it('lets only as many concurrent reservations succeed as the peer has free slots', async () => {
    const peers = createPeerRepository(world.db);
    const profile = peerProfile('pr_race', { capacity: 2 });
    if (profile.$case !== 'peerProfileUpserted') throw new Error('unreachable');
    const { attributes } = peerFromEvent(profile.peerProfileUpserted);
    const now = new Date();
    await peers.upsertProfile('pr_race', attributes, 'ev_profile', now);

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => peers.reserve('pr_race', `mt_race_${i}`, now)));

    expect(results.filter(Boolean)).toHaveLength(2);
    expect(await world.peers().findOne({ _id: 'pr_race' })).toMatchObject({ load: 2, freeSlots: 0 });
    expect((await world.peers().findOne({ _id: 'pr_race' }))!.holds).toHaveLength(2);
  });

  it('two service instances sharing the partitions propose a capacity-2 peer to exactly two of ten newcomers', async () => {
    const groupId = `${world.namespace}_shared_group`;
    const first = await world.start({ MATCHING_GROUP_ID: groupId });
    const second = await world.start({ MATCHING_GROUP_ID: groupId });
    await world.publish(peerProfile('pr_only', { capacity: 2 }), 'pr_only');
    await world.waitForPeer('pr_only');
    const ids = Array.from({ length: 10 }, (_, i) => `nc_${i}`);
    await Promise.all(ids.map((id) => world.publish(newcomerRegistered(id), id)));

    // Both instances consumed some of the newcomers (they share the topic's partitions).
    const partitions = await world.admin.fetchTopicOffsets(world.topic(NEWCOMERS_TOPIC));
    expect(partitions.filter((p) => Number(p.high) > 0).length).toBeGreaterThan(1);
    await waitFor(async () => ((await world.newcomers().countDocuments({})) === 10 ? true : undefined), { description: 'all newcomers recorded' });
    await Promise.all([first.settle(), second.settle()]);
    await waitFor(async () => ((await world.newcomers().countDocuments({ status: 'claimed' })) === 0 ? true : undefined), {
      description: 'no round in progress',
    });

    const peer = (await world.peers().findOne({ _id: 'pr_only' }))!;
    expect(peer.load).toBe(2);
    expect(peer.freeSlots).toBe(0);
    expect(peer.holds).toHaveLength(2);
    const live = await world.matches().find({ peerId: 'pr_only', state: 'proposed' }).toArray();
    expect(live).toHaveLength(2);
    expect(new Set(live.map((m) => m.newcomerId)).size).toBe(2);
    expect(live.map((m) => m._id).sort()).toEqual([...peer.holds].sort());
    // The others wait (a periodic retry round may hold a claim on some of them at this moment).
    expect(await world.newcomers().countDocuments({ status: { $in: ['waiting', 'claimed'] } })).toBe(8);
  });
});
