import type { InfraConfig, PortSetting } from './infra-config.js';
import type { ProcessIdentity } from './process-control.js';

export type ServerName = 'redis' | 'mongo' | 'kafka' | 'sandbox';

export interface ServerContext {
  readonly config: InfraConfig;
  /** One line of progress for the person waiting. */
  readonly log: (line: string) => void;
}

export interface PreparedServer {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly identity: ProcessIdentity;
  /** What runs, e.g. "kafka 4.4.0", "mongo-java-server 1.47.0 (H2)", "redis 7.0.15". */
  readonly description: string;
}

export interface ServerDefinition {
  readonly name: ServerName;
  readonly ports: readonly PortSetting[];
  /** Where its readiness probe connects, e.g. "127.0.0.1:19092". */
  readonly address: string;
  readonly readyTimeoutMs: number;
  /** null when it can run here, else why it cannot (the launcher says so and carries on). */
  unavailableReason(): string | null;
  /** Fetches or builds what it needs (cached) and writes its configuration. */
  prepare(context: ServerContext): Promise<PreparedServer>;
  /** Resolves when the server answers like a working server; throws otherwise. */
  probe(timeoutMs: number): Promise<void>;
}
