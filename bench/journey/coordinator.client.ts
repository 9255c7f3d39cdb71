// Approves proposals over matching's gRPC API the way the console does: its delegating token, the coordinator named
// in x-kindred-actor, the match read first so the approval carries the version the coordinator saw.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { matching } from '@kindred/contracts';

export interface CoordinatorClient {
  /** Reads the match and approves it at that version; resolves when matching answered the approval. */
  approve(matchId: string, onSending: () => void): Promise<void>;
  countPeers(): Promise<number>;
  close(): void;
}

export function coordinatorClient(address: string, token: string, actor: string): CoordinatorClient {
  const client = new matching.MatchingServiceClient(address, credentials.createInsecure());
  const metadata = () => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${token}`);
    m.set('x-kindred-actor', actor);
    return m;
  };
  const deadline = () => ({ deadline: new Date(Date.now() + 30_000) });
  const unary = <Res>(invoke: (cb: (error: ServiceError | null, response: Res) => void) => unknown): Promise<Res> =>
    new Promise((resolve, reject) => {
      invoke((error, response) => (error ? reject(error) : resolve(response)));
    });
  return {
    async approve(matchId, onSending) {
      const detail = await unary<matching.GetMatchResponse>((cb) => client.getMatch({ matchId }, metadata(), deadline(), cb));
      const version = detail.match?.summary?.version;
      if (version === undefined) throw new Error(`match ${matchId} has no summary`);
      onSending();
      await unary<matching.ApproveMatchResponse>((cb) => client.approveMatch(matching.ApproveMatchRequest.fromPartial({ matchId, actor, expectedVersion: version }), metadata(), deadline(), cb));
    },
    async countPeers() {
      const response = await unary<matching.ListPeersResponse>((cb) => client.listPeers(matching.ListPeersRequest.fromPartial({ pageSize: 1 }), metadata(), deadline(), cb));
      return response.totalSize;
    },
    close: () => client.close(),
  };
}
