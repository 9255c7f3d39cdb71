import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { health, matching } from '@kindred/contracts';
import { traceGrpcHandlers, type Logger } from '@kindred/platform';

export interface GrpcServerHandle {
  readonly address: string;
  readonly port: number;
  /** Reports NOT_SERVING to health checks, then stops accepting calls and lets in-flight ones finish. */
  stop(): Promise<void>;
}

const SERVICE_NAME = 'kindred.matching.v1.MatchingService';
const DEFAULT_PROTO_DIR = fileURLToPath(new URL('../../../../proto', import.meta.url));

/** The gRPC server: MatchingService, the standard health service and server reflection (for grpcurl and friends). */
export async function startGrpcServer(deps: {
  handlers: matching.MatchingServiceServer;
  host: string;
  port: number;
  log: Logger;
  isReady: () => boolean;
  protoDir?: string;
}): Promise<GrpcServerHandle> {
  const { log } = deps;
  const server = new Server();
  server.addService(matching.MatchingServiceService, traceGrpcHandlers(matching.MatchingServiceService, deps.handlers));

  let stopping = false;
  const servingStatus = (service: string): health.HealthCheckResponse_ServingStatus | undefined => {
    if (service !== '' && service !== SERVICE_NAME) return undefined;
    return !stopping && deps.isReady() ? health.HealthCheckResponse_ServingStatus.SERVING : health.HealthCheckResponse_ServingStatus.NOT_SERVING;
  };
  server.addService(health.HealthService, {
    check: (call, callback) => {
      const s = servingStatus(call.request.service);
      if (s === undefined) callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
      else callback(null, { status: s });
    },
    watch: (call) => {
      const s = servingStatus(call.request.service);
      call.write({ status: s ?? health.HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN });
      call.end();
    },
  } satisfies health.HealthServer);

  const protoDir = deps.protoDir ?? DEFAULT_PROTO_DIR;
  if (existsSync(`${protoDir}/kindred/matching/v1/matching_service.proto`)) {
    const definition = loadSync(['kindred/matching/v1/matching_service.proto', 'grpc/health/v1/health.proto'], { includeDirs: [protoDir] });
    new ReflectionService(definition).addToServer(server);
  } else {
    log.warn({ protoDir }, 'proto files not found: gRPC reflection is off');
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${deps.host}:${deps.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    address: `${deps.host}:${port}`,
    port,
    async stop() {
      stopping = true;
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
