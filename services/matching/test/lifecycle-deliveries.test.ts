// Outcome: the notifier's delivery events and the coordinator's later moves drive the match lifecycle, with events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { events, matching, type EventPayload } from '@kindred/contracts';
import { eventToRecord } from '@kindred/platform';
import { waitFor } from '@kindred/testkit';
import { COORDINATOR_ACTOR, COORDINATOR_TOKEN, VIEWER_TOKEN, createWorld, grpcClient, newcomerRegistered, peerProfile, rejectionOf, type World } from './support/matching-harness.js';

let world: World;
let client: ReturnType<typeof grpcClient>;
let coordinator: ReturnType<ReturnType<typeof grpcClient>['as']>;

beforeAll(async () => {
  world = await createWorld('match_lifecycle');
  const app = await world.start();
  client = grpcClient(app.grpcAddress);
  coordinator = client.as(COORDINATOR_TOKEN);
  await world.publish(peerProfile('pr_main', { capacity: 10, topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS] }), 'pr_main');
  await world.publish(peerProfile('pr_backup', { capacity: 10 }), 'pr_backup');
  await world.waitForPeer('pr_main');
  await world.waitForPeer('pr_backup');
});

afterAll(async () => {
  client.close();
  await world.stop();
});

async function approvedMatch(newcomerId: string) {
  await world.publish(newcomerRegistered(newcomerId, { topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS] }), newcomerId);
  const proposal = await world.waitForProposal(newcomerId);
  await coordinator.approveMatch({ matchId: proposal._id });
  return proposal;
}

const delivered = (matchId: string, deliveryId: string, role: events.RecipientRole, channel: events.Channel): EventPayload => ({
  $case: 'introductionDelivered',
  introductionDelivered: { deliveryId, matchId, recipientId: 'someone', role, channel, providerMessageId: 'provider-1', deliveredAt: new Date() },
});
const failed = (matchId: string, deliveryId: string, permanent: boolean): EventPayload => ({
  $case: 'introductionFailed',
  introductionFailed: {
    deliveryId,
    matchId,
    recipientId: 'pr_main',
    role: events.RecipientRole.RECIPIENT_ROLE_PEER,
    channel: events.Channel.CHANNEL_SMS,
    errorCode: permanent ? 'twilio_21610' : 'twilio_429',
    permanent,
    reason: permanent ? 'recipient_unsubscribed' : 'rate_limited',
  },
});

async function stateOf(matchId: string, state: string) {
  return waitFor(() => world.matches().findOne({ _id: matchId, state: state as never }).then((m) => m ?? undefined), { description: `match ${state}` });
}

describe('delivery outcomes', () => {
  it('the first delivered introduction makes the match introduced, once, and publishes the transition', async () => {
    const reader = await world.readMatchEvents();
    const proposal = await approvedMatch('nc_delivered');
    const sent = await world.publish(delivered(proposal._id, 'dl_peer_email', events.RecipientRole.RECIPIENT_ROLE_PEER, events.Channel.CHANNEL_EMAIL), proposal._id);
    const introduced = await stateOf(proposal._id, 'introduced');
    expect(introduced.deliveries).toEqual([expect.objectContaining({ deliveryId: 'dl_peer_email', state: 'delivered', role: 'peer', channel: 'email' })]);
    const moved = await waitFor(() => reader.events().find((e) => e.event.$case === 'matchTransitioned' && e.aggregateId === proposal._id), {
      description: 'MatchTransitioned',
    });
    if (moved.event.$case !== 'matchTransitioned') throw new Error('unreachable');
    expect(moved.event.matchTransitioned).toMatchObject({
      from: events.MatchState.MATCH_STATE_APPROVED,
      to: events.MatchState.MATCH_STATE_INTRODUCED,
      actor: 'system:notifier',
      reason: 'introduction_delivered',
    });

    // The same event again (a redelivery), then the newcomer's own introduction on the same partition: once the
    // second is applied the redelivery has been seen too. Status is kept per delivery; there is no second move.
    const again = eventToRecord(sent, world.namespace);
    await world.publishRaw(again.topic, again.key, again.value);
    await world.publish(delivered(proposal._id, 'dl_newcomer_sms', events.RecipientRole.RECIPIENT_ROLE_NEWCOMER, events.Channel.CHANNEL_SMS), proposal._id);
    const both = await waitFor(() => world.matches().findOne({ _id: proposal._id, 'deliveries.1': { $exists: true } }).then((m) => m ?? undefined), {
      description: 'the second delivery recorded',
    });
    await waitFor(async () => ((await world.matches().findOne({ _id: proposal._id }))!.appliedEventIds.length === 2 ? true : undefined), {
      description: 'both delivery events applied',
    });
    const detail = (await coordinator.getMatch({ matchId: proposal._id })).match!;
    expect(detail.deliveries.map((d) => [d.deliveryId, d.state])).toEqual([
      ['dl_peer_email', matching.DeliveryState.DELIVERY_STATE_DELIVERED],
      ['dl_newcomer_sms', matching.DeliveryState.DELIVERY_STATE_DELIVERED],
    ]);
    expect(detail.audit.filter((a) => a.action === 'match.introduced')).toHaveLength(1);
    expect(both.state).toBe('introduced');
  });

  it('a transient failure only updates the delivery; a permanent one puts the match in needs_attention', async () => {
    const proposal = await approvedMatch('nc_failing');
    await world.publish(failed(proposal._id, 'dl_sms', false), proposal._id);
    const retrying = await waitFor(() => world.matches().findOne({ _id: proposal._id, 'deliveries.0.state': 'retrying' }).then((m) => m ?? undefined), {
      description: 'the delivery retrying',
    });
    expect(retrying.state).toBe('approved');

    await world.publish(failed(proposal._id, 'dl_sms', true), proposal._id);
    const attention = await stateOf(proposal._id, 'needs_attention');
    expect(attention.deliveries).toEqual([expect.objectContaining({ deliveryId: 'dl_sms', state: 'failed', permanent: true, errorCode: 'twilio_21610' })]);
    const listed = await coordinator.listProposals({ states: [events.MatchState.MATCH_STATE_NEEDS_ATTENTION] });
    expect(listed.matches.map((m) => m.matchId)).toContain(proposal._id);
  });
});

describe('after the introduction', () => {
  it('a coordinator marks an introduced match active once they met: audit entry, MatchTransitioned, newcomer follows', async () => {
    const reader = await world.readMatchEvents();
    const proposal = await approvedMatch('nc_met');
    await world.publish(delivered(proposal._id, 'dl_met', events.RecipientRole.RECIPIENT_ROLE_PEER, events.Channel.CHANNEL_EMAIL), proposal._id);
    const introduced = await stateOf(proposal._id, 'introduced');

    const response = await coordinator.markActive({ matchId: proposal._id, expectedVersion: introduced.version });

    expect(response.match).toMatchObject({ matchId: proposal._id, state: events.MatchState.MATCH_STATE_ACTIVE, version: introduced.version + 1 });
    expect((await world.matches().findOne({ _id: proposal._id }))?.state).toBe('active');
    const detail = (await coordinator.getMatch({ matchId: proposal._id })).match!;
    expect(detail.audit.at(-1)).toMatchObject({
      action: 'match.active',
      actor: COORDINATOR_ACTOR,
      fromState: events.MatchState.MATCH_STATE_INTRODUCED,
      toState: events.MatchState.MATCH_STATE_ACTIVE,
      reason: 'first_meeting_confirmed',
    });
    const moved = await waitFor(
      () =>
        reader
          .events()
          .find((e) => e.event.$case === 'matchTransitioned' && e.aggregateId === proposal._id && e.event.matchTransitioned.to === events.MatchState.MATCH_STATE_ACTIVE),
      { description: 'MatchTransitioned to active' },
    );
    if (moved.event.$case !== 'matchTransitioned') throw new Error('unreachable');
    expect(moved.event.matchTransitioned).toMatchObject({
      matchId: proposal._id,
      from: events.MatchState.MATCH_STATE_INTRODUCED,
      actor: COORDINATOR_ACTOR,
      reason: 'first_meeting_confirmed',
    });
    expect(await world.newcomers().findOne({ _id: 'nc_met' })).toMatchObject({ currentMatchId: proposal._id, currentMatchState: 'active' });
    const listed = await coordinator.listProposals({ states: [events.MatchState.MATCH_STATE_ACTIVE] });
    expect(listed.matches.map((m) => m.matchId)).toContain(proposal._id);

    const again = await rejectionOf(coordinator.markActive({ matchId: proposal._id }));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    expect(again.details).toMatch(/^MATCH\.INVALID_TRANSITION/);
  });

  it('marking active is refused for a proposed match, a stale version and a viewer, and changes nothing', async () => {
    await world.publish(newcomerRegistered('nc_not_met', { topics: [events.Topic.TOPIC_GRIEF] }), 'nc_not_met');
    const open = await world.waitForProposal('nc_not_met');
    const proposed = await rejectionOf(coordinator.markActive({ matchId: open._id }));
    expect(proposed.code).toBe(status.FAILED_PRECONDITION);
    expect(proposed.details).toMatch(/^MATCH\.INVALID_TRANSITION/);

    const approved = await approvedMatch('nc_met_stale');
    await world.publish(delivered(approved._id, 'dl_met_stale', events.RecipientRole.RECIPIENT_ROLE_PEER, events.Channel.CHANNEL_EMAIL), approved._id);
    const introduced = await stateOf(approved._id, 'introduced');
    const stale = await rejectionOf(coordinator.markActive({ matchId: approved._id, expectedVersion: introduced.version - 1 }));
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    expect(stale.details).toMatch(/^MATCH\.STALE_VERSION/);
    const denied = await rejectionOf(client.as(VIEWER_TOKEN).markActive({ matchId: approved._id }));
    expect(denied.code).toBe(status.PERMISSION_DENIED);

    const after = await world.matches().findOne({ _id: approved._id });
    expect(after).toMatchObject({ state: 'introduced', version: introduced.version });
    expect(after?.audit.some((a) => a.action === 'match.active')).toBe(false);
    expect((await world.matches().findOne({ _id: open._id }))?.state).toBe('proposed');
  });

  it('a rematch frees the slot and proposes another peer to the newcomer', async () => {
    const proposal = await approvedMatch('nc_rematch');
    await world.publish(delivered(proposal._id, 'dl_r', events.RecipientRole.RECIPIENT_ROLE_PEER, events.Channel.CHANNEL_EMAIL), proposal._id);
    const introduced = await stateOf(proposal._id, 'introduced');
    const loadBefore = (await world.peers().findOne({ _id: 'pr_main' }))!.load;

    const response = await coordinator.requestRematch({ matchId: proposal._id, expectedVersion: introduced.version, reason: 'no_rapport' });

    expect(response.match?.state).toBe(events.MatchState.MATCH_STATE_REMATCH_REQUESTED);
    expect((await world.peers().findOne({ _id: 'pr_main' }))!.load).toBe(loadBefore - 1);
    const next = await world.waitForProposal('nc_rematch');
    expect(next.peerId).toBe('pr_backup');
  });

  it('closing frees the slot and publishes MatchClosed; a proposed match cannot be closed', async () => {
    const reader = await world.readMatchEvents();
    const proposal = await approvedMatch('nc_close');
    const loadBefore = (await world.peers().findOne({ _id: 'pr_main' }))!.load;
    const response = await coordinator.closeMatch({ matchId: proposal._id, reason: events.CloseReason.CLOSE_REASON_NO_CONTACT });
    expect(response.match?.state).toBe(events.MatchState.MATCH_STATE_CLOSED);
    expect((await world.peers().findOne({ _id: 'pr_main' }))!.load).toBe(loadBefore - 1);
    const closed = await waitFor(() => reader.events().find((e) => e.event.$case === 'matchClosed' && e.aggregateId === proposal._id), {
      description: 'MatchClosed',
    });
    if (closed.event.$case !== 'matchClosed') throw new Error('unreachable');
    expect(closed.event.matchClosed.reason).toBe(events.CloseReason.CLOSE_REASON_NO_CONTACT);

    await world.publish(newcomerRegistered('nc_not_closable', { topics: [events.Topic.TOPIC_GRIEF] }), 'nc_not_closable');
    const open = await world.waitForProposal('nc_not_closable');
    const refused = await rejectionOf(coordinator.closeMatch({ matchId: open._id, reason: events.CloseReason.CLOSE_REASON_COMPLETED }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(/^MATCH\.INVALID_TRANSITION/);
  });
});
