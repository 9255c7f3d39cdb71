import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { events, matching } from '@kindred/contracts';
import type { SeededRandom } from './seeded-random.js';

export interface CoordinatorStats {
  approved: number;
  declined: number;
  /** Calls that failed (matching killed or restarting, a stale version): the proposal is simply looked at again. */
  failedCalls: number;
}

export interface Coordinator {
  readonly stats: CoordinatorStats;
  stop(): Promise<void>;
}

/**
 * A coordinator at the console: over matching's gRPC API with the console's delegating token (as the console does,
 * naming the signed-in coordinator in x-kindred-actor), approves most proposals and declines some.
 */
export function startCoordinator(options: { address: string; token: string; random: SeededRandom; declineShare: number; pollMs: number }): Coordinator {
  // As the console's client: reconnect within 5 s of matching coming back, not after grpc-js's 120 s backoff.
  const client = new matching.MatchingServiceClient(options.address, credentials.createInsecure(), { 'grpc.max_reconnect_backoff_ms': 5_000 });
  const stats: CoordinatorStats = { approved: 0, declined: 0, failedCalls: 0 };
  type Unary = (request: unknown, metadata: Metadata, callOptions: { deadline: Date }, callback: (error: ServiceError | null, response: unknown) => void) => unknown;
  const call = <Res>(name: string, request: unknown): Promise<Res> => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${options.token}`);
    metadata.set('x-kindred-actor', 'co_faults');
    const method = (client as unknown as Record<string, Unary>)[name];
    if (method === undefined) throw new Error(`no gRPC method ${name}`);
    return new Promise((resolve, reject) => {
      method.call(client, request, metadata, { deadline: new Date(Date.now() + 5_000) }, (error, response) => (error ? reject(error) : resolve(response as Res)));
    });
  };

  let running = true;
  const round = async (): Promise<void> => {
    let proposals: matching.MatchSummary[];
    try {
      proposals = (await call<matching.ListProposalsResponse>('listProposals', matching.ListProposalsRequest.fromPartial({ pageSize: 200 }))).matches;
    } catch {
      stats.failedCalls += 1;
      return;
    }
    for (const proposal of proposals) {
      if (!running) return;
      const decline = options.random.chance(options.declineShare);
      try {
        if (decline) {
          await call('declineMatch', matching.DeclineMatchRequest.fromPartial({
            matchId: proposal.matchId,
            actor: 'co_faults',
            expectedVersion: proposal.version,
            reason: events.DeclineReason.DECLINE_REASON_PEER_UNAVAILABLE,
          }));
          stats.declined += 1;
        } else {
          await call('approveMatch', matching.ApproveMatchRequest.fromPartial({ matchId: proposal.matchId, actor: 'co_faults', expectedVersion: proposal.version }));
          stats.approved += 1;
        }
      } catch {
        stats.failedCalls += 1;
      }
    }
  };
  const loop = (async () => {
    while (running) {
      await round();
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  })();
  return {
    stats,
    async stop() {
      running = false;
      await loop;
      client.close();
    },
  };
}
