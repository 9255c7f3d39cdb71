// Outcome: after SubjectErased, matching holds nothing about the subject but the id, and their matches end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { waitFor } from '@kindred/testkit';
import { COORDINATOR_TOKEN, createWorld, grpcClient, newcomerRegistered, peerProfile, type World } from './support/matching-harness.js';

let world: World;
let client: ReturnType<typeof grpcClient>;

beforeAll(async () => {
  world = await createWorld('match_erasure');
  const app = await world.start();
  client = grpcClient(app.grpcAddress);
  await world.publish(peerProfile('pr_gone', { capacity: 5, topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS] }), 'pr_gone');
  await world.publish(peerProfile('pr_stays', { capacity: 5 }), 'pr_stays');
  await world.waitForPeer('pr_gone');
  await world.waitForPeer('pr_stays');
});

afterAll(async () => {
  client.close();
  await world.stop();
});

const erased = (subjectId: string, kind: events.SubjectKind) =>
  world.publish({ $case: 'subjectErased', subjectErased: { subjectId, subjectKind: kind, erasedAt: new Date() } }, subjectId);

describe('when intake erases a subject', () => {
  it('a newcomer: their running match closes with reason erased, the slot is freed and their attributes are gone', async () => {
    const reader = await world.readMatchEvents();
    await world.publish(newcomerRegistered('nc_erase', { topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS] }), 'nc_erase');
    const proposal = await world.waitForProposal('nc_erase');
    await client.as(COORDINATOR_TOKEN).approveMatch({ matchId: proposal._id });
    const loadBefore = (await world.peers().findOne({ _id: 'pr_gone' }))!.load;

    await erased('nc_erase', events.SubjectKind.SUBJECT_KIND_NEWCOMER);

    // Scrubbing the explanations is the erasure's last step.
    const match = await waitFor(() => world.matches().findOne({ _id: proposal._id, factors: { $size: 0 } }).then((m) => m ?? undefined), {
      description: 'the erasure to finish',
    });
    expect(match).toMatchObject({ state: 'closed', closeReason: 'erased', sharedTopics: [], others: [], skipped: [] });
    const newcomer = await world.newcomers().findOne({ _id: 'nc_erase' });
    expect(newcomer).toMatchObject({ status: 'erased', topics: [], languages: [], availability: [], region: '', gender: null, ageBand: null });
    expect((await world.peers().findOne({ _id: 'pr_gone' }))!.load).toBe(loadBefore - 1);
    const closed = await waitFor(() => reader.events().find((e) => e.event.$case === 'matchClosed' && e.aggregateId === proposal._id), { description: 'MatchClosed' });
    if (closed.event.$case !== 'matchClosed') throw new Error('unreachable');
    expect(closed.event.matchClosed).toMatchObject({ actor: 'system:privacy', reason: events.CloseReason.CLOSE_REASON_ERASED });
  });

  it('a peer: their open proposal is declined, the newcomer gets another peer, and the peer is never listed or proposed again', async () => {
    await world.publish(newcomerRegistered('nc_left', { topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS] }), 'nc_left');
    const proposal = await world.waitForProposal('nc_left');
    expect(proposal.peerId).toBe('pr_gone');

    await erased('pr_gone', events.SubjectKind.SUBJECT_KIND_PEER);

    const next = await waitFor(() => world.matches().findOne({ newcomerId: 'nc_left', state: 'proposed', peerId: 'pr_stays' }).then((m) => m ?? undefined), {
      description: 'a proposal with the remaining peer',
    });
    expect(next.skipped.map((s) => s.peerId)).not.toContain('pr_gone');
    const old = await waitFor(() => world.matches().findOne({ _id: proposal._id, factors: { $size: 0 } }).then((m) => m ?? undefined), {
      description: 'the old proposal scrubbed',
    });
    expect(old.state).toBe('declined');
    expect(await world.peers().findOne({ _id: 'pr_gone' })).toMatchObject({ profiled: false, active: false, topics: [], languages: [], load: 0 });
    const listed = await client.as(COORDINATOR_TOKEN).listPeers({});
    expect(listed.peers.map((p) => p.peerId)).toEqual(['pr_stays']);
  });
});
