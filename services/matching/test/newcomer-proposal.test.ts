// Outcome: a newcomer event becomes a stored, explained proposal and a MatchProposed event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@kindred/contracts';
import { ENGINE_VERSION, DEFAULT_ENGINE_CONFIG } from '@kindred/matching-engine';
import { waitFor } from '@kindred/testkit';
import { createWorld, newcomerRegistered, peerProfile, type World } from './support/matching-harness.js';

let world: World;
let app: Awaited<ReturnType<World['start']>>;

beforeAll(async () => {
  world = await createWorld('match_proposal');
  app = await world.start();
  await world.publish(peerProfile('pr_fit'), 'pr_fit');
  await world.publish(peerProfile('pr_french', { languages: ['fr'] }), 'pr_french');
  await world.waitForPeer('pr_fit');
  await world.waitForPeer('pr_french');
});

afterAll(async () => {
  await world.stop();
});

describe('a registered newcomer', () => {
  it('gets a stored proposal with its explanation and a MatchProposed event', async () => {
    const reader = await world.readMatchEvents();
    await world.publish(newcomerRegistered('nc_1'), 'nc_1');

    const proposal = await world.waitForProposal('nc_1');
    expect(proposal.peerId).toBe('pr_fit');
    expect(proposal.factors.map((f) => f.key).sort()).toEqual(
      ['availability_overlap', 'peer_load', 'preferences', 'recovery_gap', 'shared_experience', 'time_zone_distance', 'waiting_time'],
    );
    expect(proposal.factors.every((f) => f.sentence.length > 0)).toBe(true);
    expect(proposal.weights['shared_experience']).toBe(DEFAULT_ENGINE_CONFIG.weights.sharedExperience);
    expect(proposal.engineVersion).toBe(ENGINE_VERSION);
    expect(proposal.weightsVersion).toBe(DEFAULT_ENGINE_CONFIG.version);
    expect(proposal.skipped).toEqual([{ peerId: 'pr_french', reasons: [expect.objectContaining({ code: 'MATCH.NO_SHARED_LANGUAGE' })] }]);
    expect(proposal.sharedTopics).toEqual(['grief']);
    expect(proposal.sharedLanguages).toEqual(['en']);
    expect(proposal.audit.map((a) => a.action)).toEqual(['match.proposed']);

    const peer = await world.peers().findOne({ _id: 'pr_fit' });
    expect(peer).toMatchObject({ load: 1, freeSlots: 1, holds: [proposal._id] });
    const newcomer = await world.newcomers().findOne({ _id: 'nc_1' });
    expect(newcomer).toMatchObject({ status: 'proposed', currentMatchId: proposal._id });

    const event = await waitFor(() => reader.events().find((e) => e.event.$case === 'matchProposed'), { description: 'MatchProposed' });
    expect(event.aggregateId).toBe(proposal._id);
    expect(event.producer).toBe('matching');
    if (event.event.$case !== 'matchProposed') throw new Error('unreachable');
    expect(event.event.matchProposed).toMatchObject({ matchId: proposal._id, newcomerId: 'nc_1', peerId: 'pr_fit', rank: 1, engineVersion: ENGINE_VERSION });
    expect(event.event.matchProposed.factors).toHaveLength(7);
    await waitFor(async () => ((await world.matches().findOne({ _id: proposal._id }))?.outboxPending === false ? true : undefined), {
      description: 'the outbox to be emptied',
    });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^kindred_matching_proposals_total\{[^}]*\} 1$/m);
  });

  it('at imminent risk is listed as urgent and never matched', async () => {
    await world.publish(newcomerRegistered('nc_urgent', { riskLevel: events.RiskLevel.RISK_LEVEL_IMMINENT, urgent: true }), 'nc_urgent');
    const stored = await waitFor(() => world.newcomers().findOne({ _id: 'nc_urgent' }).then((n) => n ?? undefined), { description: 'urgent newcomer' });
    await app.settle();

    expect(stored).toMatchObject({ status: 'urgent', urgent: true, riskLevel: 'imminent' });
    expect(await world.matches().countDocuments({ newcomerId: 'nc_urgent' })).toBe(0);
  });

  it('who fits nobody keeps waiting with the reason, and is proposed once a fitting peer enrolls', async () => {
    await world.publish(newcomerRegistered('nc_gambling', { topics: [events.Topic.TOPIC_GAMBLING] }), 'nc_gambling');
    await waitFor(() => world.newcomers().findOne({ _id: 'nc_gambling', unmatchedReason: 'MATCH.NO_FEASIBLE_PEER' }).then((n) => n ?? undefined), {
      description: 'the round to find nobody',
    });
    expect(await world.matches().countDocuments({ newcomerId: 'nc_gambling', state: 'proposed' })).toBe(0);

    await world.publish(peerProfile('pr_gambling', { topics: [events.Topic.TOPIC_GAMBLING] }), 'pr_gambling');
    const proposal = await world.waitForProposal('nc_gambling');
    expect(proposal.peerId).toBe('pr_gambling');
  });

  it('arriving together with others are solved as one batch that maximises the total score', async () => {
    // A world of its own whose window never closes by itself: the round runs when the test says, so both newcomers
    // are certainly in it. pr_both suits both newcomers (and nc_a best); pr_only_a suits only nc_a. First come,
    // first served would give pr_both's one slot to nc_a and leave nc_b with nobody; the batch serves both.
    const batchWorld = await createWorld('match_batch');
    try {
      const batchApp = await batchWorld.start({ MATCHING_BATCH_WINDOW_MS: '600000', MATCHING_TICK_MS: '600000' });
      await batchWorld.publish(peerProfile('pr_both', { capacity: 1, topics: [events.Topic.TOPIC_BIPOLAR, events.Topic.TOPIC_PSYCHOSIS] }), 'pr_both');
      await batchWorld.publish(peerProfile('pr_only_a', { capacity: 1, topics: [events.Topic.TOPIC_BIPOLAR] }), 'pr_only_a');
      await batchWorld.publish(newcomerRegistered('nc_a', { topics: [events.Topic.TOPIC_BIPOLAR, events.Topic.TOPIC_PSYCHOSIS] }), 'nc_a');
      await batchWorld.publish(newcomerRegistered('nc_b', { topics: [events.Topic.TOPIC_PSYCHOSIS] }), 'nc_b');
      await waitFor(async () => ((await batchWorld.newcomers().countDocuments({ status: 'waiting' })) === 2 ? true : undefined), {
        description: 'both newcomers recorded',
      });
      await batchWorld.waitForPeer('pr_both');
      await batchWorld.waitForPeer('pr_only_a');

      await batchApp.settle();

      const [a, b] = await Promise.all([batchWorld.waitForProposal('nc_a'), batchWorld.waitForProposal('nc_b')]);
      expect(a.peerId).toBe('pr_only_a');
      expect(b.peerId).toBe('pr_both');
      // nc_a's own first choice was pr_both: the batch gave it its second-ranked peer for the better total.
      expect(a.rank).toBe(2);
      expect(a.others.map((o) => o.peerId)).toEqual(['pr_both']);
    } finally {
      await batchWorld.stop();
    }
  });
});
