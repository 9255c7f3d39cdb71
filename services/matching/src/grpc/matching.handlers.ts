import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { events, type matching } from '@kindred/contracts';
import { AppError, type Logger } from '@kindred/platform';
import type { MatchLifecycle } from '../use-cases/match-lifecycle.use-cases.js';
import type { MatchingQueries, percentiles } from '../use-cases/queries.js';
import { authenticate, authorize, DECIDERS, READERS, type Principal, type Role, type TokenMap } from './grpc-auth.js';
import { toServiceError } from './grpc-errors.js';
import { auditEntry, matchDetail, matchSummary, newcomerSummary, peerSummary } from './proto.mapping.js';
import {
  actorOf,
  closeReason,
  declineReason,
  invalidArgument,
  nextPageToken,
  optionalLanguage,
  optionalTopic,
  paging,
  reasonCode,
  requiredId,
  states,
} from './request.parsing.js';

const DEFAULT_INSIGHTS_WINDOW_MS = 30 * 24 * 3600_000;
const DEFAULT_WAITING_THRESHOLD_MIN = 24 * 60;

/** Thin edges: authenticate, parse, call one use case, map the result; errors are mapped in one place. */
export function createMatchingHandlers(deps: {
  lifecycle: MatchLifecycle;
  queries: MatchingQueries;
  tokens: TokenMap;
  clock: () => Date;
  log: Logger;
}): matching.MatchingServiceServer {
  const { lifecycle, queries, tokens, clock } = deps;
  const log = deps.log.child({ component: 'grpc' });

  function unary<Req, Res>(roles: readonly Role[], run: (request: Req, principal: Principal) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      void (async () => {
        try {
          const principal = authenticate(call.metadata, tokens);
          authorize(principal, roles);
          callback(null, await run(call.request, principal));
        } catch (error) {
          callback(toServiceError(error, log), null);
        }
      })();
    };
  }

  return {
    listProposals: unary(READERS, async (req: matching.ListProposalsRequest) => {
      const q = {
        states: states(req.states),
        urgentOnly: req.urgentOnly,
        ...(optionalTopic(req.topic, 'topic') === undefined ? {} : { topic: optionalTopic(req.topic, 'topic')! }),
        ...(optionalLanguage(req.language, 'language') === undefined ? {} : { language: req.language }),
      };
      const key = JSON.stringify(['proposals', q]);
      const page = paging(req.pageSize, req.pageToken, key);
      const { items, total } = await queries.listProposals(q, page.skip, page.limit);
      return { matches: items.map(matchSummary), nextPageToken: nextPageToken(page, items.length, total, key), totalSize: total };
    }),

    getMatch: unary(READERS, async (req: matching.GetMatchRequest) => {
      const matchId = requiredId(req.matchId, 'match_id');
      const found = await queries.getMatch(matchId);
      if (found === null) throw new AppError('MATCH.NOT_FOUND', `MATCH.NOT_FOUND: no match ${matchId}`, { details: { field: 'match_id' } });
      return { match: matchDetail(found.match, found.newcomer, found.peer, clock()) };
    }),

    approveMatch: unary(DECIDERS, async (req: matching.ApproveMatchRequest, principal) => {
      const matchId = requiredId(req.matchId, 'match_id');
      const done = await lifecycle.approve(matchId, actorOf(req.actor, principal), req.expectedVersion);
      return { match: matchSummary(done) };
    }),

    declineMatch: unary(DECIDERS, async (req: matching.DeclineMatchRequest, principal) => {
      const matchId = requiredId(req.matchId, 'match_id');
      const reason = declineReason(req.reason);
      const { match, next } = await lifecycle.decline(matchId, actorOf(req.actor, principal), req.expectedVersion, reason);
      return { match: matchSummary(match), ...(next === null ? {} : { nextProposal: matchSummary(next) }) };
    }),

    reassignMatch: unary(DECIDERS, async (req: matching.ReassignMatchRequest, principal) => {
      const matchId = requiredId(req.matchId, 'match_id');
      const peerId = requiredId(req.peerId, 'peer_id');
      const reason = reasonCode(req.reason, 'reason', true);
      const { previous, match } = await lifecycle.reassign(matchId, actorOf(req.actor, principal), req.expectedVersion, peerId, reason);
      return { previous: matchSummary(previous), match: matchSummary(match) };
    }),

    markActive: unary(DECIDERS, async (req: matching.MarkActiveRequest, principal) => {
      const matchId = requiredId(req.matchId, 'match_id');
      return { match: matchSummary(await lifecycle.markActive(matchId, actorOf(req.actor, principal), req.expectedVersion)) };
    }),

    requestRematch: unary(DECIDERS, async (req: matching.RequestRematchRequest, principal) => {
      const matchId = requiredId(req.matchId, 'match_id');
      const reason = reasonCode(req.reason, 'reason', true);
      return { match: matchSummary(await lifecycle.requestRematch(matchId, actorOf(req.actor, principal), req.expectedVersion, reason)) };
    }),

    closeMatch: unary(DECIDERS, async (req: matching.CloseMatchRequest, principal) => {
      const matchId = requiredId(req.matchId, 'match_id');
      const reason = closeReason(req.reason);
      return { match: matchSummary(await lifecycle.close(matchId, actorOf(req.actor, principal), req.expectedVersion, reason)) };
    }),

    pausePeer: unary(DECIDERS, async (req: matching.PausePeerRequest, principal) => {
      const peerId = requiredId(req.peerId, 'peer_id');
      const now = clock();
      if (req.until === undefined) throw invalidArgument('until', 'is required');
      if (req.until.getTime() <= now.getTime()) throw invalidArgument('until', 'must be in the future');
      const reason = reasonCode(req.reason, 'reason', true);
      const peer = await lifecycle.setPeerPause(peerId, actorOf(req.actor, principal), req.until, reason);
      return { peer: peerSummary(peer, now) };
    }),

    resumePeer: unary(DECIDERS, async (req: matching.ResumePeerRequest, principal) => {
      const peerId = requiredId(req.peerId, 'peer_id');
      const peer = await lifecycle.setPeerPause(peerId, actorOf(req.actor, principal), null, '');
      return { peer: peerSummary(peer, clock()) };
    }),

    listPeers: unary(READERS, async (req: matching.ListPeersRequest) => {
      const topic = optionalTopic(req.topic, 'topic');
      const language = optionalLanguage(req.language, 'language');
      const q = { ...(topic === undefined ? {} : { topic }), ...(language === undefined ? {} : { language }), availableOnly: req.availableOnly };
      const key = JSON.stringify(['peers', q]);
      const page = paging(req.pageSize, req.pageToken, key);
      const { items, total } = await queries.listPeers(q, page.skip, page.limit);
      const now = clock();
      return { peers: items.map((p) => peerSummary(p, now)), nextPageToken: nextPageToken(page, items.length, total, key), totalSize: total };
    }),

    listUrgentNewcomers: unary(READERS, async (req: matching.ListUrgentNewcomersRequest) => {
      const page = paging(req.pageSize, req.pageToken, 'urgent');
      const { items, total } = await queries.listUrgentNewcomers(page.skip, page.limit);
      return { newcomers: items.map(newcomerSummary), nextPageToken: nextPageToken(page, items.length, total, 'urgent'), totalSize: total };
    }),

    listAudit: unary(READERS, async (req: matching.ListAuditRequest) => {
      if (req.query.length > 200) throw invalidArgument('query', 'must be at most 200 characters');
      if (req.since !== undefined && req.until !== undefined && req.since.getTime() >= req.until.getTime()) {
        throw invalidArgument('until', 'must be after since');
      }
      const q = {
        ...(req.query === '' ? {} : { text: req.query }),
        ...(req.actor === '' ? {} : { actor: req.actor }),
        ...(req.matchId === '' ? {} : { matchId: requiredId(req.matchId, 'match_id') }),
        ...(req.subjectId === '' ? {} : { subjectId: requiredId(req.subjectId, 'subject_id') }),
        ...(req.since === undefined ? {} : { since: req.since }),
        ...(req.until === undefined ? {} : { until: req.until }),
      };
      const key = JSON.stringify(['audit', q]);
      const page = paging(req.pageSize, req.pageToken, key);
      const items = await queries.listAudit(q, page.skip, page.limit);
      return { entries: items.map(auditEntry), nextPageToken: nextPageToken(page, items.length, undefined, key) };
    }),

    getInsights: unary(READERS, async (req: matching.GetInsightsRequest) => {
      const until = req.until ?? clock();
      const since = req.since ?? new Date(until.getTime() - DEFAULT_INSIGHTS_WINDOW_MS);
      if (since.getTime() >= until.getTime()) throw invalidArgument('until', 'must be after since');
      const thresholdMinutes = req.waitingThresholdMinutes === 0 ? DEFAULT_WAITING_THRESHOLD_MIN : req.waitingThresholdMinutes;
      const r = await queries.insights({ since, until, waitingThresholdMs: thresholdMinutes * 60_000 });
      const durations = (p: ReturnType<typeof percentiles>): matching.DurationPercentiles => ({
        count: p.count,
        p50Ms: p.p50,
        p90Ms: p.p90,
        p95Ms: p.p95,
        p99Ms: p.p99,
        maxMs: p.max,
      });
      return {
        intakeToProposal: durations(r.intakeToProposal),
        intakeToIntroduction: durations(r.intakeToIntroduction),
        proposalsDecided: r.proposalsDecided,
        approved: r.approved,
        declined: r.declined,
        approvalRate: r.proposalsDecided === 0 ? 0 : r.approved / r.proposalsDecided,
        declineRate: r.proposalsDecided === 0 ? 0 : r.declined / r.proposalsDecided,
        declineReasons: r.declineReasons.map(([reason, count]) => ({
          reason: events.declineReasonFromJSON(`DECLINE_REASON_${reason.toUpperCase()}`),
          count,
        })),
        peerLoad: r.peerLoad.map(([load, peers]) => ({ load, peers })),
        peersAtCapacity: r.peersAtCapacity,
        peersPaused: r.peersPaused,
        matchesWaitingOverThreshold: r.matchesWaitingOverThreshold,
        waitingThresholdMinutes: thresholdMinutes,
        oldestWaiting: r.oldestWaiting.map(matchSummary),
        urgentNewcomersWaiting: r.urgentNewcomersWaiting,
      };
    }),
  };
}
