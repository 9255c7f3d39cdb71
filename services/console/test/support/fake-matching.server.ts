import { Server, ServerCredentials, status, type Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { events, matching } from '@kindred/contracts';

const { Topic, MatchState, RiskLevel, MeetingMode, Gender, Channel, RecipientRole } = events;

/** One call as the matching service received it: over a real socket, with its metadata. */
export interface RecordedCall {
  readonly method: string;
  readonly request: unknown;
  readonly authorization: string | undefined;
  readonly actor: string | undefined;
}

export interface FakeMatching {
  readonly address: string;
  readonly token: string;
  readonly calls: RecordedCall[];
  readonly matches: Map<string, matching.MatchDetail>;
  readonly peers: Map<string, matching.PeerSummary>;
  /** Mutating calls (approve, decline, reassign, pause, resume, …) received so far. */
  mutations(): RecordedCall[];
  stop(): Promise<void>;
}

/** Values the console must never render: they are not needed for a decision. */
export const sentinels = {
  region: 'SentinelRegionXyz',
  newcomerRecoveryDate: '2023-11-17',
  peerRecoveryDate: '2014-02-09',
} as const;

const mutating = new Set(['approveMatch', 'declineMatch', 'reassignMatch', 'markActive', 'requestRematch', 'closeMatch', 'pausePeer', 'resumePeer']);
const hour = 3600_000;

function newcomer(id: string, label: string, opts: Partial<matching.NewcomerSummary> = {}): matching.NewcomerSummary {
  return matching.NewcomerSummary.fromPartial({
    newcomerId: id,
    displayLabel: label,
    topics: [Topic.TOPIC_ANXIETY, Topic.TOPIC_GRIEF],
    languages: ['en', 'es'],
    ageBand: events.AgeBand.AGE_BAND_25_34,
    gender: Gender.GENDER_WOMAN,
    genderPreference: { kind: events.GenderPreference_Kind.KIND_NONE, genders: [], mustHave: false },
    timeZone: 'America/New_York',
    region: sentinels.region,
    meetingModes: [MeetingMode.MEETING_MODE_VIDEO, MeetingMode.MEETING_MODE_PHONE],
    // Mon and Wed 18:00-21:00 New York time.
    availability: [
      { day: 0, startMinute: 18 * 60, endMinute: 21 * 60 },
      { day: 2, startMinute: 18 * 60, endMinute: 21 * 60 },
    ],
    riskLevel: RiskLevel.RISK_LEVEL_LOW,
    urgent: false,
    registeredAt: new Date(Date.now() - 30 * hour),
    recoveryStartedOn: sentinels.newcomerRecoveryDate,
    ...opts,
  });
}

function peer(id: string, label: string, opts: Partial<matching.PeerSummary> = {}): matching.PeerSummary {
  return matching.PeerSummary.fromPartial({
    peerId: id,
    displayLabel: label,
    topics: [Topic.TOPIC_ANXIETY, Topic.TOPIC_DEPRESSION],
    languages: ['en'],
    gender: Gender.GENDER_WOMAN,
    ageBand: events.AgeBand.AGE_BAND_45_54,
    timeZone: 'America/Chicago',
    region: sentinels.region,
    meetingModes: [MeetingMode.MEETING_MODE_VIDEO],
    // Mon 17:00-19:00 Chicago time = 18:00-20:00 New York: two hours overlap with the newcomer.
    availability: [{ day: 0, startMinute: 17 * 60, endMinute: 19 * 60 }],
    recoveryStartedOn: sentinels.peerRecoveryDate,
    capacity: 3,
    load: 1,
    active: true,
    consented: true,
    certified: true,
    ...opts,
  });
}

function factors(scale: number): events.ScoreFactor[] {
  const raw: [string, number, number, string][] = [
    ['shared_experience', 0.35, 0.8, 'Shares 1 of 2 topics: Anxiety.'],
    ['recovery_gap', 0.2, 0.9, 'About 10 years further along, near the ideal range.'],
    ['availability_overlap', 0.15, 0.4, '2 hours a week in common.'],
    ['time_zone_distance', 0.1, 0.9, 'One hour apart.'],
    ['peer_load', 0.1, 0.66, 'Carries 1 of 3 matches.'],
    ['waiting_time', 0.1, 0.5, 'Waiting for about a day.'],
  ];
  return raw.map(([key, weight, value, sentence]) => ({ key, weight, value: value * scale, contribution: weight * value * scale, sentence }));
}

function detail(
  matchId: string,
  n: matching.NewcomerSummary,
  p: matching.PeerSummary,
  opts: { state?: events.MatchState; score?: number; others?: matching.RankedCandidate[]; deliveries?: matching.DeliveryStatus[]; urgent?: boolean } = {},
): matching.MatchDetail {
  const f = factors(opts.score ?? 1);
  const summary = matching.MatchSummary.fromPartial({
    matchId,
    state: opts.state ?? MatchState.MATCH_STATE_PROPOSED,
    newcomerId: n.newcomerId,
    newcomerDisplayLabel: n.displayLabel,
    peerId: p.peerId,
    peerDisplayLabel: p.displayLabel,
    score: f.reduce((sum, x) => sum + x.contribution, 0),
    rank: 1,
    urgent: opts.urgent ?? n.urgent,
    riskLevel: n.riskLevel,
    sharedTopics: n.topics.filter((t) => p.topics.includes(t)),
    sharedLanguages: n.languages.filter((l) => p.languages.includes(l)),
    waitingSince: n.registeredAt,
    proposedAt: new Date(Date.now() - hour),
    updatedAt: new Date(Date.now() - hour),
    version: 1,
  });
  return matching.MatchDetail.fromPartial({
    summary,
    newcomer: n,
    peer: p,
    factors: f,
    weights: Object.fromEntries(f.map((x) => [x.key, x.weight])),
    engineVersion: 'engine-1.0.0',
    weightsVersion: 'w-2026-11',
    skippedCandidates: [
      { peerId: 'peer-skip-1', displayLabel: 'Peer Z1', reasons: [{ code: 'MATCH.NO_SHARED_LANGUAGE', sentence: 'Speaks none of the newcomer’s languages.' }] },
      { peerId: 'peer-skip-2', displayLabel: 'Peer Z2', reasons: [{ code: 'MATCH.PEER_AT_CAPACITY', sentence: 'Already carries as many matches as they can.' }] },
    ],
    otherCandidates: opts.others ?? [],
    audit: [
      { auditId: `a-${matchId}`, at: new Date(Date.now() - hour), actor: 'system:matching', action: 'match.proposed', matchId, subjectId: n.newcomerId, fromState: 0, toState: MatchState.MATCH_STATE_PROPOSED, reason: '' },
    ],
    deliveries: opts.deliveries ?? [],
    shareTopicsConsented: true,
  });
}

/** The scripted world: an urgent intake, proposals of different ages, one approved and one failing introduction. */
export function scriptedWorld(): { matches: Map<string, matching.MatchDetail>; peers: Map<string, matching.PeerSummary>; urgent: matching.NewcomerSummary[]; nextAfterDecline: Map<string, string> } {
  const peers = new Map<string, matching.PeerSummary>();
  const pA = peer('peer-a', 'Peer K7QD');
  const pB = peer('peer-b', 'Peer M2XT', { load: 2 });
  const pC = peer('peer-c', 'Peer W4RN', { languages: ['es', 'en'], load: 0 });
  const pD = peer('peer-d', 'Peer H8PL', { load: 3, capacity: 3 });
  const pE = peer('peer-e', 'Peer J5VB', { pausedUntil: new Date(Date.now() + 10 * 24 * hour), load: 0 });
  for (const p of [pA, pB, pC, pD, pE]) peers.set(p.peerId, p);

  const old = newcomer('nc-old', 'Newcomer 3FJA', { registeredAt: new Date(Date.now() - 72 * hour) });
  const mid = newcomer('nc-mid', 'Newcomer 9TQE', { registeredAt: new Date(Date.now() - 30 * hour), genderPreference: { kind: events.GenderPreference_Kind.KIND_SPECIFIC, genders: [Gender.GENDER_WOMAN], mustHave: true } });
  const fresh = newcomer('nc-fresh', 'Newcomer 5HUR', {
    registeredAt: new Date(Date.now() - 2 * hour),
    urgent: true,
    riskLevel: RiskLevel.RISK_LEVEL_MODERATE,
    genderPreference: { kind: events.GenderPreference_Kind.KIND_SAME, genders: [], mustHave: false },
  });
  const approved = newcomer('nc-appr', 'Newcomer 2DKW');
  const attention = newcomer('nc-attn', 'Newcomer 8NBS');

  const candidate = (p: matching.PeerSummary, score: number, rank: number): matching.RankedCandidate => ({
    peerId: p.peerId,
    displayLabel: p.displayLabel,
    score,
    rank,
    factors: factors(score),
    freeCapacity: p.capacity - p.load,
  });

  const matches = new Map<string, matching.MatchDetail>();
  const add = (d: matching.MatchDetail) => matches.set(d.summary?.matchId ?? '', d);
  add(detail('m-old', old, pA, { others: [candidate(pC, 0.61, 2)] }));
  add(detail('m-mid', mid, pB, { others: [candidate(pC, 0.58, 2)] }));
  add(detail('m-fresh', fresh, pA, { others: [] }));
  add(detail('m-appr', approved, pC, {
    state: MatchState.MATCH_STATE_INTRODUCED,
    deliveries: [
      { deliveryId: 'd1', recipientId: 'peer-c', role: RecipientRole.RECIPIENT_ROLE_PEER, channel: Channel.CHANNEL_EMAIL, state: matching.DeliveryState.DELIVERY_STATE_DELIVERED, errorCode: '', permanent: false, updatedAt: new Date() },
      { deliveryId: 'd2', recipientId: 'nc-appr', role: RecipientRole.RECIPIENT_ROLE_NEWCOMER, channel: Channel.CHANNEL_SMS, state: matching.DeliveryState.DELIVERY_STATE_SENT, errorCode: '', permanent: false, updatedAt: new Date() },
    ],
  }));
  add(detail('m-attn', attention, pB, {
    state: MatchState.MATCH_STATE_NEEDS_ATTENTION,
    deliveries: [
      { deliveryId: 'd3', recipientId: 'nc-attn', role: RecipientRole.RECIPIENT_ROLE_NEWCOMER, channel: Channel.CHANNEL_SMS, state: matching.DeliveryState.DELIVERY_STATE_FAILED, errorCode: 'twilio_21610', permanent: true, updatedAt: new Date() },
      { deliveryId: 'd4', recipientId: 'peer-b', role: RecipientRole.RECIPIENT_ROLE_PEER, channel: Channel.CHANNEL_EMAIL, state: matching.DeliveryState.DELIVERY_STATE_DELIVERED, errorCode: '', permanent: false, updatedAt: new Date() },
    ],
  }));
  // Declining m-mid proposes the runner-up, peer C.
  const next = detail('m-mid-2', mid, pC, { state: MatchState.MATCH_STATE_UNSPECIFIED, score: 0.8, others: [] });
  const nextAfterDecline = new Map([['m-mid', 'm-mid-2']]);
  const pending = new Map([['m-mid-2', next]]);

  const imminent = newcomer('nc-urgent', 'Newcomer 7F3K', { urgent: true, riskLevel: RiskLevel.RISK_LEVEL_IMMINENT, registeredAt: new Date(Date.now() - 40 * 60_000) });
  for (const [id, d] of pending) matches.set(`pending:${id}`, d);
  return { matches, peers, urgent: [imminent], nextAfterDecline };
}

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

function header(metadata: Metadata, name: string): string | undefined {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value : undefined;
}

/** A real grpc-js server on 127.0.0.1:<random port> that implements MatchingService over the scripted world. */
export async function startFakeMatching(options: { token?: string } = {}): Promise<FakeMatching> {
  const token = options.token ?? 'test-matching-token-0123456789';
  const world = scriptedWorld();
  const { matches, peers } = world;
  const calls: RecordedCall[] = [];
  const audit: matching.AuditEntry[] = [...matches.values()].flatMap((d) => d.audit);
  let auditSeq = 0;

  const fail = (code: status, details: string) => Object.assign(new Error(details), { code, details });

  function unary<Req, Res>(method: string, body: (request: Req) => Res): Handler<Req, Res> {
    return (call, callback) => {
      const authorization = header(call.metadata, 'authorization');
      calls.push({ method, request: call.request, authorization, actor: header(call.metadata, 'x-kindred-actor') });
      if (authorization !== `Bearer ${token}`) {
        callback(fail(status.UNAUTHENTICATED, 'AUTH.BAD_TOKEN'));
        return;
      }
      try {
        callback(null, body(call.request));
      } catch (error) {
        callback(error as Error);
      }
    };
  }

  const live = (id: string): matching.MatchDetail => {
    const d = matches.get(id);
    if (!d || id.startsWith('pending:')) throw fail(status.NOT_FOUND, 'MATCH.NOT_FOUND');
    return d;
  };
  const proposed = (id: string, expected: number): matching.MatchDetail => {
    const d = live(id);
    const s = d.summary!;
    if (expected !== 0 && expected !== s.version) throw fail(status.FAILED_PRECONDITION, 'MATCH.STALE_VERSION');
    if (s.state !== MatchState.MATCH_STATE_PROPOSED) throw fail(status.FAILED_PRECONDITION, 'MATCH.INVALID_TRANSITION');
    return d;
  };
  /** A live match in one of `from` at the expected version, as matching's lifecycle checks it. */
  const inState = (id: string, expected: number, from: readonly events.MatchState[]): matching.MatchDetail => {
    const d = live(id);
    const s = d.summary!;
    if (expected !== 0 && expected !== s.version) throw fail(status.FAILED_PRECONDITION, 'MATCH.STALE_VERSION');
    if (!from.includes(s.state)) throw fail(status.FAILED_PRECONDITION, 'MATCH.INVALID_TRANSITION');
    return d;
  };
  const move = (d: matching.MatchDetail, to: events.MatchState, actor: string, action: string, reason: string) => {
    const s = d.summary!;
    const entry: matching.AuditEntry = { auditId: `a${++auditSeq}`, at: new Date(), actor, action, matchId: s.matchId, subjectId: s.newcomerId, fromState: s.state, toState: to, reason };
    audit.push(entry);
    d.audit.push(entry);
    s.state = to;
    s.version += 1;
    s.updatedAt = new Date();
  };

  const implementation: matching.MatchingServiceServer = {
    listProposals: unary('listProposals', (r: matching.ListProposalsRequest) => {
      const states = r.states.length > 0 ? r.states : [MatchState.MATCH_STATE_PROPOSED];
      const rows = [...matches.entries()]
        .filter(([id]) => !id.startsWith('pending:'))
        .map(([, d]) => d.summary!)
        .filter((s) => states.includes(s.state))
        .filter((s) => !r.urgentOnly || s.urgent)
        .filter((s) => r.topic === Topic.TOPIC_UNSPECIFIED || s.sharedTopics.includes(r.topic))
        .filter((s) => r.language === '' || s.sharedLanguages.includes(r.language));
      // Deliberately unordered (by id): the console must order the queue itself.
      rows.sort((a, b) => a.matchId.localeCompare(b.matchId));
      return { matches: rows, nextPageToken: '', totalSize: rows.length };
    }),
    getMatch: unary('getMatch', (r: matching.GetMatchRequest) => ({ match: live(r.matchId) })),
    approveMatch: unary('approveMatch', (r: matching.ApproveMatchRequest) => {
      const d = proposed(r.matchId, r.expectedVersion);
      move(d, MatchState.MATCH_STATE_APPROVED, r.actor, 'match.approved', '');
      return { match: d.summary };
    }),
    declineMatch: unary('declineMatch', (r: matching.DeclineMatchRequest) => {
      if (r.reason === events.DeclineReason.DECLINE_REASON_UNSPECIFIED) throw fail(status.INVALID_ARGUMENT, 'MATCH.REASON_REQUIRED');
      const d = proposed(r.matchId, r.expectedVersion);
      move(d, MatchState.MATCH_STATE_DECLINED, r.actor, 'match.declined', events.declineReasonToJSON(r.reason));
      d.declineReason = r.reason;
      const nextId = world.nextAfterDecline.get(r.matchId);
      const next = nextId ? matches.get(`pending:${nextId}`) : undefined;
      if (next && nextId) {
        matches.delete(`pending:${nextId}`);
        next.summary!.state = MatchState.MATCH_STATE_PROPOSED;
        matches.set(nextId, next);
      }
      return { match: d.summary, nextProposal: next?.summary };
    }),
    reassignMatch: unary('reassignMatch', (r: matching.ReassignMatchRequest) => {
      const d = proposed(r.matchId, r.expectedVersion);
      const p = peers.get(r.peerId);
      if (!p) throw fail(status.FAILED_PRECONDITION, 'MATCH.PEER_NOT_ELIGIBLE');
      move(d, MatchState.MATCH_STATE_DECLINED, r.actor, 'match.reassigned', r.reason);
      const fresh = detail(`${r.matchId}-r`, d.newcomer!, p, { others: [] });
      matches.set(fresh.summary!.matchId, fresh);
      return { previous: d.summary, match: fresh.summary };
    }),
    requestRematch: unary('requestRematch', () => {
      throw fail(status.UNIMPLEMENTED, 'not scripted');
    }),
    markActive: unary('markActive', (r: matching.MarkActiveRequest) => {
      const d = inState(r.matchId, r.expectedVersion, [MatchState.MATCH_STATE_INTRODUCED]);
      move(d, MatchState.MATCH_STATE_ACTIVE, r.actor, 'match.active', 'first_meeting_confirmed');
      return { match: d.summary };
    }),
    closeMatch: unary('closeMatch', (r: matching.CloseMatchRequest) => {
      if (r.reason === events.CloseReason.CLOSE_REASON_UNSPECIFIED) throw fail(status.INVALID_ARGUMENT, 'reason must be a CloseReason other than UNSPECIFIED');
      const d = inState(r.matchId, r.expectedVersion, [
        MatchState.MATCH_STATE_APPROVED,
        MatchState.MATCH_STATE_INTRODUCED,
        MatchState.MATCH_STATE_ACTIVE,
        MatchState.MATCH_STATE_NEEDS_ATTENTION,
      ]);
      move(d, MatchState.MATCH_STATE_CLOSED, r.actor, 'match.closed', events.closeReasonToJSON(r.reason).replace(/^CLOSE_REASON_/, '').toLowerCase());
      d.closeReason = r.reason;
      return { match: d.summary };
    }),
    pausePeer: unary('pausePeer', (r: matching.PausePeerRequest) => {
      const p = peers.get(r.peerId);
      if (!p) throw fail(status.NOT_FOUND, 'PEER.NOT_FOUND');
      p.pausedUntil = r.until;
      audit.push({ auditId: `a${++auditSeq}`, at: new Date(), actor: r.actor, action: 'peer.paused', matchId: '', subjectId: p.peerId, fromState: 0, toState: 0, reason: r.reason });
      return { peer: p };
    }),
    resumePeer: unary('resumePeer', (r: matching.ResumePeerRequest) => {
      const p = peers.get(r.peerId);
      if (!p) throw fail(status.NOT_FOUND, 'PEER.NOT_FOUND');
      delete p.pausedUntil;
      audit.push({ auditId: `a${++auditSeq}`, at: new Date(), actor: r.actor, action: 'peer.resumed', matchId: '', subjectId: p.peerId, fromState: 0, toState: 0, reason: '' });
      return { peer: p };
    }),
    listPeers: unary('listPeers', (r: matching.ListPeersRequest) => {
      const rows = [...peers.values()]
        .filter((p) => r.topic === Topic.TOPIC_UNSPECIFIED || p.topics.includes(r.topic))
        .filter((p) => r.language === '' || p.languages.includes(r.language))
        .filter((p) => !r.availableOnly || (p.active && !p.pausedUntil && p.load < p.capacity));
      return { peers: rows, nextPageToken: '', totalSize: rows.length };
    }),
    listUrgentNewcomers: unary('listUrgentNewcomers', () => ({ newcomers: world.urgent, nextPageToken: '', totalSize: world.urgent.length })),
    listAudit: unary('listAudit', (r: matching.ListAuditRequest) => {
      const q = r.query.toLowerCase();
      const entries = audit
        .filter((a) => q === '' || [a.matchId, a.actor, a.action, a.reason, a.subjectId].some((v) => v.toLowerCase().includes(q)))
        .sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0));
      return { entries, nextPageToken: '' };
    }),
    getInsights: unary('getInsights', (r: matching.GetInsightsRequest) =>
      matching.GetInsightsResponse.fromPartial({
        intakeToProposal: { count: 40, p50Ms: 3 * hour, p90Ms: 20 * hour, p95Ms: 30 * hour, p99Ms: 50 * hour, maxMs: 70 * hour },
        intakeToIntroduction: { count: 25, p50Ms: 26 * hour, p90Ms: 60 * hour, p95Ms: 70 * hour, p99Ms: 90 * hour, maxMs: 100 * hour },
        proposalsDecided: 30,
        approved: 24,
        declined: 6,
        approvalRate: 0.8,
        declineRate: 0.2,
        declineReasons: [
          { reason: events.DeclineReason.DECLINE_REASON_LOGISTICS, count: 4 },
          { reason: events.DeclineReason.DECLINE_REASON_EXPERIENCE_MISMATCH, count: 2 },
        ],
        peerLoad: [
          { load: 0, peers: 2 },
          { load: 1, peers: 5 },
          { load: 2, peers: 3 },
          { load: 3, peers: 1 },
        ],
        peersAtCapacity: 1,
        peersPaused: 1,
        matchesWaitingOverThreshold: 1,
        waitingThresholdMinutes: r.waitingThresholdMinutes || 1440,
        oldestWaiting: [live('m-old').summary!],
        urgentNewcomersWaiting: world.urgent.length,
      }),
    ),
  };

  const server = new Server();
  server.addService(matching.MatchingServiceService, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });

  return {
    address: `127.0.0.1:${port}`,
    token,
    calls,
    matches,
    peers,
    mutations: () => calls.filter((c) => mutating.has(c.method)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}
