// Outcome: responses of the MatchingService gRPC API to a real grpc-js client, and the state and events they cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { matching } from '@kindred/contracts';
import { events, health } from '@kindred/contracts';
import { waitFor } from '@kindred/testkit';
import {
  COORDINATOR_ACTOR,
  COORDINATOR_TOKEN,
  VIEWER_TOKEN,
  createWorld,
  grpcClient,
  newcomerRegistered,
  peerProfile,
  rejectionOf,
  type World,
} from './support/matching-harness.js';

let world: World;
let app: Awaited<ReturnType<World['start']>>;
let client: ReturnType<typeof grpcClient>;
let coordinator: ReturnType<ReturnType<typeof grpcClient>['as']>;

beforeAll(async () => {
  world = await createWorld('match_grpc');
  app = await world.start();
  client = grpcClient(app.grpcAddress);
  coordinator = client.as(COORDINATOR_TOKEN);
  // pr_a is everyone's best fit (shares more topics); pr_b is the fallback; pr_fr shares no language.
  await world.publish(peerProfile('pr_a', { capacity: 20, topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS] }), 'pr_a');
  await world.publish(peerProfile('pr_b', { capacity: 20, topics: [events.Topic.TOPIC_GRIEF] }), 'pr_b');
  await world.publish(peerProfile('pr_fr', { languages: ['fr'] }), 'pr_fr');
  for (const id of ['pr_a', 'pr_b', 'pr_fr']) await world.waitForPeer(id);
});

afterAll(async () => {
  client.close();
  await world.stop();
});

async function proposalFor(newcomerId: string, overrides: Partial<events.NewcomerRegistered> = {}) {
  await world.publish(newcomerRegistered(newcomerId, { topics: [events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS], ...overrides }), newcomerId);
  return world.waitForProposal(newcomerId);
}

describe('authentication and authorization', () => {
  it('refuses a call without a token, or with an unknown one, as UNAUTHENTICATED', async () => {
    expect((await rejectionOf(client.as(null).listProposals({}))).code).toBe(status.UNAUTHENTICATED);
    expect((await rejectionOf(client.as('not-a-real-token-at-all').listProposals({}))).code).toBe(status.UNAUTHENTICATED);
  });

  it('lets a viewer read but not decide (PERMISSION_DENIED), and changes nothing', async () => {
    const proposal = await proposalFor('nc_viewer');
    const viewer = client.as(VIEWER_TOKEN);
    expect((await viewer.getMatch({ matchId: proposal._id })).match?.summary?.matchId).toBe(proposal._id);
    const denied = await rejectionOf(viewer.approveMatch({ matchId: proposal._id }));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect((await world.matches().findOne({ _id: proposal._id }))?.state).toBe('proposed');
  });
});

describe('approve', () => {
  it('moves a proposal to approved, records who did it, and publishes MatchApproved', async () => {
    const reader = await world.readMatchEvents();
    const proposal = await proposalFor('nc_approve');
    const response = await coordinator.approveMatch({ matchId: proposal._id, expectedVersion: proposal.version });
    expect(response.match?.state).toBe(events.MatchState.MATCH_STATE_APPROVED);

    const detail = (await coordinator.getMatch({ matchId: proposal._id })).match!;
    expect(detail.audit.map((a) => [a.action, a.actor])).toEqual([
      ['match.proposed', 'system:matching'],
      ['match.approved', COORDINATOR_ACTOR],
    ]);
    const approved = await waitFor(() => reader.events().find((e) => e.event.$case === 'matchApproved' && e.aggregateId === proposal._id), {
      description: 'MatchApproved',
    });
    if (approved.event.$case !== 'matchApproved') throw new Error('unreachable');
    expect(approved.event.matchApproved).toMatchObject({ matchId: proposal._id, newcomerId: 'nc_approve', peerId: 'pr_a', actor: COORDINATOR_ACTOR, shareTopicsConsented: true });
    expect(approved.event.matchApproved.sharedTopics.sort()).toEqual([events.Topic.TOPIC_GRIEF, events.Topic.TOPIC_LONELINESS].sort());
  });

  it('of a match that is no longer proposed fails with FAILED_PRECONDITION and MATCH.INVALID_TRANSITION', async () => {
    const proposal = await proposalFor('nc_twice');
    await coordinator.approveMatch({ matchId: proposal._id });
    const again = await rejectionOf(coordinator.approveMatch({ matchId: proposal._id }));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    expect(again.details).toMatch(/^MATCH\.INVALID_TRANSITION/);
  });

  it('with a stale expected_version fails with FAILED_PRECONDITION and leaves the match proposed', async () => {
    const proposal = await proposalFor('nc_stale');
    const stale = await rejectionOf(coordinator.approveMatch({ matchId: proposal._id, expectedVersion: proposal.version + 7 }));
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    expect(stale.details).toMatch(/^MATCH\.STALE_VERSION/);
    expect((await world.matches().findOne({ _id: proposal._id }))?.state).toBe('proposed');
  });

  it('answers INVALID_ARGUMENT naming the field for a missing match id, and NOT_FOUND for an unknown one', async () => {
    const missing = await rejectionOf(coordinator.approveMatch({ matchId: '' }));
    expect(missing.code).toBe(status.INVALID_ARGUMENT);
    expect(missing.details).toContain('match_id');
    expect(missing.metadata.get('kindred-error-field')).toEqual(['match_id']);
    expect((await rejectionOf(coordinator.approveMatch({ matchId: 'mt_nope' }))).code).toBe(status.NOT_FOUND);
    const otherActor = await rejectionOf(coordinator.approveMatch({ matchId: 'mt_nope', actor: 'someone_else' }));
    expect(otherActor.code).toBe(status.INVALID_ARGUMENT);
    expect(otherActor.details).toContain('actor');
  });
});

describe('decline', () => {
  it('keeps the reason, frees the slot, never re-proposes the pair and proposes the next best peer', async () => {
    const reader = await world.readMatchEvents();
    const proposal = await proposalFor('nc_decline');
    expect(proposal.peerId).toBe('pr_a');
    const loadBefore = (await world.peers().findOne({ _id: 'pr_a' }))!.load;

    const response = await coordinator.declineMatch({ matchId: proposal._id, reason: events.DeclineReason.DECLINE_REASON_LOGISTICS });

    expect(response.match?.state).toBe(events.MatchState.MATCH_STATE_DECLINED);
    expect(response.nextProposal?.peerId).toBe('pr_b');
    expect(response.nextProposal?.newcomerId).toBe('nc_decline');
    expect((await world.peers().findOne({ _id: 'pr_a' }))!.load).toBe(loadBefore - 1);
    const detail = (await coordinator.getMatch({ matchId: proposal._id })).match!;
    expect(detail.declineReason).toBe(events.DeclineReason.DECLINE_REASON_LOGISTICS);
    const next = (await coordinator.getMatch({ matchId: response.nextProposal!.matchId })).match!;
    expect(next.skippedCandidates.find((s) => s.peerId === 'pr_a')?.reasons.map((r) => r.code)).toContain('MATCH.PREVIOUSLY_DECLINED');
    const declined = await waitFor(() => reader.events().find((e) => e.event.$case === 'matchDeclined' && e.aggregateId === proposal._id), {
      description: 'MatchDeclined',
    });
    if (declined.event.$case !== 'matchDeclined') throw new Error('unreachable');
    expect(declined.event.matchDeclined.reason).toBe(events.DeclineReason.DECLINE_REASON_LOGISTICS);
  });

  it('without a reason is INVALID_ARGUMENT naming reason, and changes nothing', async () => {
    const proposal = await proposalFor('nc_noreason');
    const bad = await rejectionOf(coordinator.declineMatch({ matchId: proposal._id }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toContain('reason');
    expect((await world.matches().findOne({ _id: proposal._id }))?.state).toBe('proposed');
  });
});

describe('reassign', () => {
  it('declines the proposal and proposes the chosen peer instead, keeping the newcomer in one proposal', async () => {
    const proposal = await proposalFor('nc_reassign');
    expect(proposal.peerId).toBe('pr_a');
    const response = await coordinator.reassignMatch({ matchId: proposal._id, peerId: 'pr_b', reason: 'coordinator_knows_better_fit' });

    expect(response.previous?.state).toBe(events.MatchState.MATCH_STATE_DECLINED);
    expect(response.match).toMatchObject({ peerId: 'pr_b', newcomerId: 'nc_reassign', state: events.MatchState.MATCH_STATE_PROPOSED });
    const newcomer = await world.newcomers().findOne({ _id: 'nc_reassign' });
    expect(newcomer).toMatchObject({ status: 'proposed', currentMatchId: response.match!.matchId, declinedPeerIds: ['pr_a'] });
    expect(await world.matches().countDocuments({ newcomerId: 'nc_reassign', state: 'proposed' })).toBe(1);
    const detail = (await coordinator.getMatch({ matchId: response.match!.matchId })).match!;
    expect(detail.audit[0]).toMatchObject({ action: 'match.proposed', actor: COORDINATOR_ACTOR, reason: 'coordinator_knows_better_fit' });
  });

  it('to a peer who breaks a hard rule is FAILED_PRECONDITION with the rule, and changes nothing', async () => {
    const proposal = await proposalFor('nc_reassign_bad');
    const refused = await rejectionOf(coordinator.reassignMatch({ matchId: proposal._id, peerId: 'pr_fr', reason: 'coordinator_choice' }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toContain('MATCH.NO_SHARED_LANGUAGE');
    expect((await world.matches().findOne({ _id: proposal._id }))?.state).toBe('proposed');
    expect((await world.peers().findOne({ _id: 'pr_fr' }))!.load).toBe(0);
  });

  it('with free text as the reason is INVALID_ARGUMENT naming reason', async () => {
    const proposal = await proposalFor('nc_reassign_text');
    const bad = await rejectionOf(coordinator.reassignMatch({ matchId: proposal._id, peerId: 'pr_b', reason: 'She told me about her ex' }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toContain('reason');
  });
});

describe('queries', () => {
  it('lists proposals urgent first, then longest waiting, page by page', async () => {
    await proposalFor('nc_old', { registeredAt: new Date(Date.now() - 3 * 24 * 3600_000) });
    await proposalFor('nc_flagged', { urgent: true, riskLevel: events.RiskLevel.RISK_LEVEL_MODERATE });
    const seen: matching.MatchSummary[] = [];
    let pageToken = '';
    let total = 0;
    do {
      const page = await coordinator.listProposals({ pageSize: 2, pageToken });
      seen.push(...page.matches);
      total = page.totalSize;
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((m) => m.matchId)).size).toBe(total);
    expect(seen[0]?.newcomerId).toBe('nc_flagged');
    expect(seen[1]?.newcomerId).toBe('nc_old');
    const waits = seen.slice(1).map((m) => m.waitingSince!.getTime());
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(seen.every((m) => m.state === events.MatchState.MATCH_STATE_PROPOSED)).toBe(true);

    const lonely = await coordinator.listProposals({ topic: events.Topic.TOPIC_LONELINESS, language: 'en-GB' });
    expect(lonely.totalSize).toBe(await world.matches().countDocuments({ state: 'proposed', sharedTopics: 'loneliness' }));
    expect(lonely.totalSize).toBeGreaterThan(0);
    expect(lonely.matches.every((m) => m.sharedTopics.includes(events.Topic.TOPIC_LONELINESS))).toBe(true);
    expect((await coordinator.listProposals({ language: 'fr' })).totalSize).toBe(0);

    const urgentOnly = await coordinator.listProposals({ urgentOnly: true });
    expect(urgentOnly.matches.map((m) => m.newcomerId)).toEqual(['nc_flagged']);
    expect((await rejectionOf(coordinator.listProposals({ pageToken: 'garbage' }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('lists peers with load and capacity, and pausing one takes it out of the available ones', async () => {
    const all = await coordinator.listPeers({});
    const a = all.peers.find((p) => p.peerId === 'pr_a')!;
    const stored = (await world.peers().findOne({ _id: 'pr_a' }))!;
    expect(a).toMatchObject({ capacity: 20, load: stored.load });
    expect(a.displayLabel).toMatch(/^Peer [A-Z2-9]{4}$/);

    const until = new Date(Date.now() + 7 * 24 * 3600_000);
    const paused = await coordinator.pausePeer({ peerId: 'pr_fr', until, reason: 'vacation' });
    expect(paused.peer?.pausedUntil?.getTime()).toBe(until.getTime());
    const available = await coordinator.listPeers({ availableOnly: true });
    expect(available.peers.map((p) => p.peerId)).not.toContain('pr_fr');
    await coordinator.resumePeer({ peerId: 'pr_fr' });
    expect((await coordinator.listPeers({ availableOnly: true })).peers.map((p) => p.peerId)).toContain('pr_fr');

    const audit = await waitFor(
      async () => {
        const page = await coordinator.listAudit({ subjectId: 'pr_fr' });
        return page.entries.length === 2 ? page.entries : undefined;
      },
      { description: 'pause and resume in the audit trail' },
    );
    expect(audit.map((e) => [e.action, e.actor, e.reason])).toEqual([
      ['peer.resumed', COORDINATOR_ACTOR, ''],
      ['peer.paused', COORDINATOR_ACTOR, 'vacation'],
    ]);
    expect((await rejectionOf(coordinator.pausePeer({ peerId: 'pr_fr', reason: 'vacation' }))).details).toContain('until');

    const approvals = await waitFor(
      async () => {
        const page = await coordinator.listAudit({ query: 'match.approved', pageSize: 1 });
        return page.entries.length === 1 && page.nextPageToken !== '' ? page : undefined;
      },
      { description: 'approvals in the audit trail' },
    );
    expect(approvals.entries[0]).toMatchObject({ action: 'match.approved', actor: COORDINATOR_ACTOR });
    const second = await coordinator.listAudit({ query: 'match.approved', pageSize: 1, pageToken: approvals.nextPageToken });
    expect(second.entries[0]?.auditId).not.toBe(approvals.entries[0]?.auditId);
    expect(second.entries[0]!.at!.getTime()).toBeLessThanOrEqual(approvals.entries[0]!.at!.getTime());
  });

  it('lists urgent newcomers oldest first, with no contact data', async () => {
    await world.publish(newcomerRegistered('nc_crisis', { riskLevel: events.RiskLevel.RISK_LEVEL_IMMINENT, urgent: true }), 'nc_crisis');
    const listed = await waitFor(
      async () => {
        const r = await coordinator.listUrgentNewcomers({});
        return r.newcomers.some((n) => n.newcomerId === 'nc_crisis') ? r : undefined;
      },
      { description: 'the urgent newcomer listed' },
    );
    const crisis = listed.newcomers.find((n) => n.newcomerId === 'nc_crisis')!;
    expect(crisis).toMatchObject({ urgent: true, riskLevel: events.RiskLevel.RISK_LEVEL_IMMINENT, currentMatchId: '' });
    const times = listed.newcomers.map((n) => n.registeredAt!.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives insights computed from the stored decisions', async () => {
    const insights = await coordinator.getInsights({});
    const approved = await world.matches().countDocuments({ state: { $in: ['approved', 'introduced', 'active', 'needs_attention', 'closed', 'rematch_requested'] } });
    const declined = await world.matches().countDocuments({ state: 'declined' });
    expect(insights.approved).toBe(approved);
    expect(insights.declined).toBe(declined);
    expect(insights.proposalsDecided).toBe(approved + declined);
    expect(insights.intakeToProposal?.count).toBeGreaterThan(0);
    expect(insights.urgentNewcomersWaiting).toBeGreaterThan(0);
    expect(insights.waitingThresholdMinutes).toBe(24 * 60);
  });
});

describe('the gRPC server', () => {
  it('answers the standard health check', async () => {
    const healthClient = new health.HealthClient(app.grpcAddress, credentials.createInsecure());
    const response = await new Promise<health.HealthCheckResponse>((resolve, reject) =>
      healthClient.check({ service: 'kindred.matching.v1.MatchingService' }, new Metadata(), (error, r) => (error ? reject(error) : resolve(r))),
    );
    healthClient.close();
    expect(response.status).toBe(health.HealthCheckResponse_ServingStatus.SERVING);
  });

  it('lists its services through server reflection', async () => {
    const protoRoot = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '..', 'proto');
    const definition = loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [protoRoot] });
    const loaded = loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client } } };
    };
    const reflection = new loaded.grpc.reflection.v1.ServerReflection(app.grpcAddress, credentials.createInsecure());
    const stream = (reflection as unknown as { serverReflectionInfo: () => ClientDuplexStream<object, { listServicesResponse?: { service: { name: string }[] } }> })
      .serverReflectionInfo();
    const names = await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (response: { listServicesResponse?: { service: { name: string }[] } }) => {
        resolve(response.listServicesResponse?.service.map((x) => x.name) ?? []);
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ listServices: '' });
    });
    reflection.close();
    expect(names).toContain('kindred.matching.v1.MatchingService');
    expect(names).toContain('grpc.health.v1.Health');
  });
});
