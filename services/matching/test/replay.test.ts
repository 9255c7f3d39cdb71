// Outcome: stored state and emitted events are unchanged when every input topic is consumed again from offset 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERIES_TOPIC, NEWCOMERS_TOPIC, PEERS_TOPIC, events } from '@kindred/contracts';
import { waitFor } from '@kindred/testkit';
import { COORDINATOR_TOKEN, createWorld, grpcClient, newcomerRegistered, peerProfile, type World } from './support/matching-harness.js';

let world: World;

beforeAll(async () => {
  world = await createWorld('match_replay');
});

afterAll(async () => {
  await world.stop();
});

async function endOffsets(topic: string): Promise<number> {
  const offsets = await world.admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/** True once the group has committed everything currently on the input topics. */
async function caughtUp(groupId: string): Promise<boolean> {
  const topics = [NEWCOMERS_TOPIC, PEERS_TOPIC, DELIVERIES_TOPIC].map(world.topic);
  const committed = await world.admin.fetchOffsets({ groupId, topics });
  for (const { topic, partitions } of committed) {
    const high = await world.admin.fetchTopicOffsets(topic);
    for (const p of high) {
      const c = partitions.find((x) => x.partition === p.partition);
      if (Number(p.high) > 0 && Number(c?.offset ?? -1) < Number(p.high)) return false;
    }
  }
  return true;
}

async function snapshot() {
  // Bookkeeping times of retries and leases move on their own; everything else must stay as it was.
  const strip = <T extends { _id: string }>(doc: T): T => ({ ...doc, updatedAt: undefined, outboxLeaseUntil: undefined, lastAttemptAt: undefined });
  return {
    matches: (await world.matches().find({}).sort({ _id: 1 }).toArray()).map(strip),
    newcomers: (await world.newcomers().find({}).sort({ _id: 1 }).toArray()).map(strip),
    peers: (await world.peers().find({}).sort({ _id: 1 }).toArray()).map(strip),
    matchEvents: await endOffsets(world.matchesTopic),
  };
}

describe('replaying every input topic from offset 0 with a new consumer group', () => {
  it('creates no duplicate proposal, slot, delivery status or event', async () => {
    const first = await world.start();
    await world.publish(peerProfile('pr_1', { capacity: 5 }), 'pr_1');
    await world.publish(peerProfile('pr_1', { capacity: 6 }), 'pr_1');
    await world.publish({ $case: 'peerPaused', peerPaused: { peerId: 'pr_2', pausedUntil: new Date(Date.now() + 3600_000), reasonCode: 'vacation' } }, 'pr_2');
    await world.publish(peerProfile('pr_2', { capacity: 1, topics: [events.Topic.TOPIC_OCD] }), 'pr_2');
    for (const id of ['nc_1', 'nc_2', 'nc_3']) await world.publish(newcomerRegistered(id), id);
    const proposals = await Promise.all(['nc_1', 'nc_2', 'nc_3'].map((id) => world.waitForProposal(id)));

    const client = grpcClient(first.grpcAddress);
    await client.as(COORDINATOR_TOKEN).approveMatch({ matchId: proposals[0]!._id });
    await client.as(COORDINATOR_TOKEN).declineMatch({ matchId: proposals[1]!._id, reason: events.DeclineReason.DECLINE_REASON_OTHER });
    client.close();
    await world.publish(
      {
        $case: 'introductionDelivered',
        introductionDelivered: {
          deliveryId: 'dl_1',
          matchId: proposals[0]!._id,
          recipientId: 'pr_1',
          role: events.RecipientRole.RECIPIENT_ROLE_PEER,
          channel: events.Channel.CHANNEL_EMAIL,
          providerMessageId: 'smtp-1',
          deliveredAt: new Date(),
        },
      },
      proposals[0]!._id,
    );
    await waitFor(() => world.matches().findOne({ _id: proposals[0]!._id, state: 'introduced' }).then((m) => m ?? undefined), { description: 'introduced' });
    await waitFor(() => caughtUp(first.groupId), { description: 'the first group to catch up' });
    await first.settle();
    await waitFor(async () => ((await world.matches().countDocuments({ outboxPending: true })) === 0 ? true : undefined), { description: 'outbox drained' });
    const before = await snapshot();
    expect(before.peers.find((p) => p._id === 'pr_1')).toMatchObject({ capacity: 6, load: 2 });
    await first.stop();

    const second = await world.start();
    await waitFor(() => caughtUp(second.groupId), { description: 'the replaying group to reach the end of every topic' });
    await second.settle();
    const after = await snapshot();

    expect(after).toEqual(before);
  });
});
