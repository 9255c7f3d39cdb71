import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { matching } from '@kindred/contracts';
import { AppError, grpcClientTracing } from '@kindred/platform';

type Client = matching.MatchingServiceClient;
type Invoke<Res> = (metadata: Metadata, options: { deadline: Date }, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** Who is asking: the signed-in coordinator's pseudonymous id travels as `x-kindred-actor` and in the request. */
export interface CallContext {
  readonly actor: string;
}

export interface MatchingGateway {
  listProposals(ctx: CallContext, request: Partial<matching.ListProposalsRequest>): Promise<matching.ListProposalsResponse>;
  getMatch(ctx: CallContext, matchId: string): Promise<matching.MatchDetail>;
  approveMatch(ctx: CallContext, request: Omit<matching.ApproveMatchRequest, 'actor'>): Promise<matching.ApproveMatchResponse>;
  declineMatch(ctx: CallContext, request: Omit<matching.DeclineMatchRequest, 'actor'>): Promise<matching.DeclineMatchResponse>;
  reassignMatch(ctx: CallContext, request: Omit<matching.ReassignMatchRequest, 'actor'>): Promise<matching.ReassignMatchResponse>;
  markActive(ctx: CallContext, request: Omit<matching.MarkActiveRequest, 'actor'>): Promise<matching.MarkActiveResponse>;
  closeMatch(ctx: CallContext, request: Omit<matching.CloseMatchRequest, 'actor'>): Promise<matching.CloseMatchResponse>;
  pausePeer(ctx: CallContext, request: Omit<matching.PausePeerRequest, 'actor'>): Promise<matching.PausePeerResponse>;
  resumePeer(ctx: CallContext, peerId: string): Promise<matching.ResumePeerResponse>;
  listPeers(ctx: CallContext, request: Partial<matching.ListPeersRequest>): Promise<matching.ListPeersResponse>;
  listUrgentNewcomers(ctx: CallContext, request: Partial<matching.ListUrgentNewcomersRequest>): Promise<matching.ListUrgentNewcomersResponse>;
  listAudit(ctx: CallContext, request: Partial<matching.ListAuditRequest>): Promise<matching.ListAuditResponse>;
  getInsights(ctx: CallContext, request: Partial<matching.GetInsightsRequest>): Promise<matching.GetInsightsResponse>;
  close(): void;
}

export interface MatchingClientConfig {
  readonly address: string;
  readonly token: string;
  readonly deadlineMs: number;
}

/** gRPC status → a console error code; the edge turns codes into pages. */
export function toAppError(error: ServiceError): AppError {
  const detail = { grpcCode: error.code };
  switch (error.code) {
    case status.NOT_FOUND:
      return new AppError('CONSOLE.NOT_FOUND', 'not found', { details: detail, cause: error });
    case status.FAILED_PRECONDITION:
    case status.ABORTED:
      return new AppError('CONSOLE.CONFLICT', error.details || 'the item changed', { details: detail, cause: error });
    case status.INVALID_ARGUMENT:
      return new AppError('CONSOLE.INVALID_ARGUMENT', error.details || 'invalid argument', { details: detail, cause: error });
    case status.PERMISSION_DENIED:
    case status.UNAUTHENTICATED:
      return new AppError('CONSOLE.UPSTREAM_REFUSED', 'the matching service refused the console', { details: detail, cause: error });
    case status.OK:
    case status.CANCELLED:
    case status.UNKNOWN:
    case status.DEADLINE_EXCEEDED:
    case status.ALREADY_EXISTS:
    case status.RESOURCE_EXHAUSTED:
    case status.OUT_OF_RANGE:
    case status.UNIMPLEMENTED:
    case status.INTERNAL:
    case status.UNAVAILABLE:
    case status.DATA_LOSS:
      return new AppError('CONSOLE.UPSTREAM_UNAVAILABLE', 'the matching service is unavailable', { retriable: true, details: detail, cause: error });
  }
}

export function grpcMatchingGateway(config: MatchingClientConfig): MatchingGateway {
  // grpc-js backs off up to 120 s between reconnects; after matching restarts, coordinators would wait that long.
  const client: Client = new matching.MatchingServiceClient(config.address, credentials.createInsecure(), {
    interceptors: [grpcClientTracing],
    'grpc.max_reconnect_backoff_ms': 5_000,
  });

  function call<Res>(ctx: CallContext, invoke: Invoke<Res>): Promise<Res> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${config.token}`);
    metadata.set('x-kindred-actor', ctx.actor);
    return new Promise((resolve, reject) => {
      invoke(metadata, { deadline: new Date(Date.now() + config.deadlineMs) }, (error, response) => {
        if (error) reject(toAppError(error));
        else resolve(response);
      });
    });
  }

  return {
    listProposals: (ctx, r) => call(ctx, (m, o, cb) => client.listProposals(matching.ListProposalsRequest.fromPartial(r), m, o, cb)),
    async getMatch(ctx, matchId) {
      const response = await call<matching.GetMatchResponse>(ctx, (m, o, cb) => client.getMatch({ matchId }, m, o, cb));
      if (!response.match) throw new AppError('CONSOLE.NOT_FOUND', 'not found');
      return response.match;
    },
    approveMatch: (ctx, r) => call(ctx, (m, o, cb) => client.approveMatch({ ...r, actor: ctx.actor }, m, o, cb)),
    declineMatch: (ctx, r) => call(ctx, (m, o, cb) => client.declineMatch({ ...r, actor: ctx.actor }, m, o, cb)),
    reassignMatch: (ctx, r) => call(ctx, (m, o, cb) => client.reassignMatch({ ...r, actor: ctx.actor }, m, o, cb)),
    markActive: (ctx, r) => call(ctx, (m, o, cb) => client.markActive({ ...r, actor: ctx.actor }, m, o, cb)),
    closeMatch: (ctx, r) => call(ctx, (m, o, cb) => client.closeMatch({ ...r, actor: ctx.actor }, m, o, cb)),
    pausePeer: (ctx, r) => call(ctx, (m, o, cb) => client.pausePeer({ ...r, actor: ctx.actor }, m, o, cb)),
    resumePeer: (ctx, peerId) => call(ctx, (m, o, cb) => client.resumePeer({ peerId, actor: ctx.actor }, m, o, cb)),
    listPeers: (ctx, r) => call(ctx, (m, o, cb) => client.listPeers(matching.ListPeersRequest.fromPartial(r), m, o, cb)),
    listUrgentNewcomers: (ctx, r) => call(ctx, (m, o, cb) => client.listUrgentNewcomers(matching.ListUrgentNewcomersRequest.fromPartial(r), m, o, cb)),
    listAudit: (ctx, r) => call(ctx, (m, o, cb) => client.listAudit(matching.ListAuditRequest.fromPartial(r), m, o, cb)),
    getInsights: (ctx, r) => call(ctx, (m, o, cb) => client.getInsights(matching.GetInsightsRequest.fromPartial(r), m, o, cb)),
    close: () => client.close(),
  };
}
