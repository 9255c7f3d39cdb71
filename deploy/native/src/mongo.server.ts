import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { probeMongo } from './health-probes.js';
import { MONGO_JAVA_SERVER_VERSION, NATIVE_DIR, type InfraConfig } from './infra-config.js';
import type { PreparedServer, ServerContext, ServerDefinition } from './server-definition.js';
import { fetchMavenClasspath } from './maven-classpath.js';
import { captureOutput, findOnPath, requireTool } from './tool-runner.js';

function fetchMongoJavaServer(context: ServerContext): Promise<string> {
  return fetchMavenClasspath(context.config, context.log, {
    name: 'mongo-java-server',
    version: MONGO_JAVA_SERVER_VERSION,
    logName: 'mongo',
    pom: join(NATIVE_DIR, 'mongo-java-server/pom.xml'),
    versionProperty: 'mongo-java-server.version',
    markerJarPrefix: `mongo-java-server-h2-backend-${MONGO_JAVA_SERVER_VERSION}`,
    what: `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (H2 backend)`,
  });
}

async function prepareMongod(config: InfraConfig, mongod: string): Promise<PreparedServer> {
  const dataDir = join(config.stateDir, 'mongod', 'data');
  mkdirSync(dataDir, { recursive: true });
  const versionText = await captureOutput(mongod, ['--version'], config.env);
  const version = /db version v?(\S+)/.exec(versionText)?.[1] ?? 'unknown';
  return {
    command: mongod,
    args: ['--bind_ip', '127.0.0.1', '--port', String(config.ports.mongo.port), '--dbpath', dataDir],
    cwd: join(config.stateDir, 'mongod'),
    env: config.env,
    identity: { cmdlineIncludes: ['--dbpath', dataDir] },
    description: `mongod ${version}`,
  };
}

/**
 * A real MongoDB when one is installed; otherwise mongo-java-server with its persistent H2 backend (no registry
 * here ships mongod). Not FerretDB 1.24: its conditional updates are not atomic (see deploy/native/README.md).
 */
export function mongoServer(config: InfraConfig): ServerDefinition {
  const port = config.ports.mongo.port;
  const address = `127.0.0.1:${port}`;
  return {
    name: 'mongo',
    ports: [config.ports.mongo],
    address,
    readyTimeoutMs: 60_000,
    unavailableReason: () => null,
    async prepare(context) {
      const mongod = findOnPath('mongod', config.env);
      if (mongod !== null) return prepareMongod(config, mongod);
      const java = requireTool('java', config.env, 'running mongo-java-server');
      const libDir = await fetchMongoJavaServer(context);
      const dataDir = join(config.stateDir, 'mongo-java-server');
      mkdirSync(dataDir, { recursive: true });
      const dataFile = join(dataDir, 'kindred.mv');
      return {
        command: java,
        args: ['-Xms64m', '-Xmx512m', '-cp', `${libDir}/*`, join(NATIVE_DIR, 'mongo-java-server/MongoWireServer.java'), String(port), dataFile],
        cwd: dataDir,
        env: config.env,
        identity: { cmdlineIncludes: ['MongoWireServer.java', dataFile] },
        description: `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (H2)`,
      };
    },
    probe: (timeoutMs) => probeMongo(`mongodb://${address}`, timeoutMs),
  };
}
