// Outcome: stored state after a crash between the steps of a proposal or a decline is repaired by the sweeper.
// The crash is simulated by putting documents in the state an interrupted process leaves behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { waitFor } from '@kindred/testkit';
import { createWorld, newcomerRegistered, peerProfile, type World } from './support/matching-harness.js';

let world: World;
const longAgo = () => new Date(Date.now() - 10 * 60_000);

beforeAll(async () => {
  world = await createWorld('match_crash');
  await world.start({ MATCHING_TICK_MS: '300' });
  await world.publish(peerProfile('pr_1', { capacity: 10 }), 'pr_1');
  await world.publish(peerProfile('pr_2', { capacity: 10, topics: [events.Topic.TOPIC_GRIEF] }), 'pr_2');
  await world.waitForPeer('pr_1');
  await world.waitForPeer('pr_2');
});

afterAll(async () => {
  await world.stop();
});

async function proposal(newcomerId: string) {
  await world.publish(newcomerRegistered(newcomerId, { topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_ANXIETY] }), newcomerId);
  const m = await world.waitForProposal(newcomerId);
  await waitFor(async () => ((await world.matches().findOne({ _id: m._id }))?.outboxPending === false ? true : undefined), { description: 'outbox drained' });
  return m;
}

describe('after a crash', () => {
  it('between linking the newcomer and publishing, the proposal is published by the sweeper', async () => {
    const reader = await world.readMatchEvents();
    const m = await proposal('nc_unpublished');
    await world.matches().updateOne({ _id: m._id }, { $set: { state: 'reserving', capacityHeld: false, createdAt: longAgo(), audit: [] } });

    const repaired = await waitFor(() => world.matches().findOne({ _id: m._id, state: 'proposed' }).then((x) => x ?? undefined), { description: 'the proposal published' });
    expect(repaired.audit.map((a) => a.reason)).toEqual(['recovered_after_restart']);
    await waitFor(() => (reader.events().filter((e) => e.event.$case === 'matchProposed' && e.aggregateId === m._id).length === 2 ? true : undefined), {
      description: 'MatchProposed again (at least once)',
    });
    expect((await world.peers().findOne({ _id: m.peerId }))!.holds.filter((h) => h === m._id)).toHaveLength(1);
  });

  it('between reserving the slot and linking the newcomer, the slot is given back', async () => {
    const m = await proposal('nc_unlinked');
    const loadBefore = (await world.peers().findOne({ _id: m.peerId }))!.load;
    // The newcomer was never linked: it still waits, and its claim has expired.
    await world.newcomers().updateOne({ _id: 'nc_unlinked' }, { $set: { status: 'claimed', claimUntil: longAgo(), currentMatchId: null, currentMatchState: null } });
    await world.matches().updateOne({ _id: m._id }, { $set: { state: 'reserving', capacityHeld: false, createdAt: longAgo() } });

    await waitFor(() => world.matches().findOne({ _id: m._id, state: 'abandoned' }).then((x) => x ?? undefined), { description: 'the reservation undone' });
    expect((await world.peers().findOne({ _id: m.peerId }))!.holds).not.toContain(m._id);
    // The newcomer is matched again by an ordinary round; the load counts only live proposals.
    const again = await world.waitForProposal('nc_unlinked');
    expect(again._id).not.toBe(m._id);
    const peerAfter = (await world.peers().findOne({ _id: m.peerId }))!;
    expect(peerAfter.load).toBe(loadBefore - (again.peerId === m.peerId ? 0 : 1));
  });

  it('between a decline and its follow-up, the slot is freed and the newcomer matched with someone else', async () => {
    const m = await proposal('nc_half_declined');
    await world.matches().updateOne({ _id: m._id }, { $set: { state: 'declined', declineReason: 'other', settled: false } });

    await waitFor(() => world.matches().findOne({ _id: m._id, settled: true }).then((x) => x ?? undefined), { description: 'the decline settled' });
    expect((await world.peers().findOne({ _id: m.peerId }))!.holds).not.toContain(m._id);
    const next = await world.waitForProposal('nc_half_declined');
    expect(next.peerId).not.toBe(m.peerId);
  });
});
