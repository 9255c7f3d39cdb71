import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { probeMongo } from './health-probes.js';
import { FERRETDB_VERSION, NATIVE_DIR, type InfraConfig } from './infra-config.js';
import { InfraError } from './infra-error.js';
import type { PreparedServer, ServerContext, ServerDefinition } from './server-definition.js';
import { captureOutput, findOnPath, requireTool, runLogged } from './tool-runner.js';

const MIN_GO = [1, 24] as const;

export function ferretdbBinary(config: InfraConfig): string {
  return join(config.cacheDir, `ferretdb-v${FERRETDB_VERSION}`, 'ferretdb');
}

async function buildFerretdb(context: ServerContext): Promise<string> {
  const { config, log } = context;
  const binary = ferretdbBinary(config);
  if (existsSync(binary)) return binary;
  const go = requireTool('go', config.env, `building FerretDB ${FERRETDB_VERSION}`);
  // GOTOOLCHAIN=local: never let go.mod's directive trigger a toolchain download behind our back.
  const goEnv: NodeJS.ProcessEnv = { ...config.env, GOTOOLCHAIN: 'local', GOWORK: 'off', CGO_ENABLED: '0' };
  const goVersion = (await captureOutput(go, ['env', 'GOVERSION'], goEnv)).trim();
  const match = /^go(\d+)\.(\d+)/.exec(goVersion);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
    throw new InfraError(
      'INFRA.TOOL_MISSING',
      `${go} is ${goVersion || 'of unknown version'}; FerretDB ${FERRETDB_VERSION} needs Go ${MIN_GO.join('.')} or newer ` +
        '(Debian 12 golang-go is 1.19: use bookworm-backports or https://go.dev/dl)',
    );
  }
  const logFile = join(config.stateDir, 'logs', 'ferretdb-build.log');
  log(`mongo: building FerretDB ${FERRETDB_VERSION} (SQLite backend) with ${goVersion}; first time takes a minute or two (log: ${logFile})`);
  const staging = `${binary}.partial-${process.pid}`;
  mkdirSync(join(binary, '..'), { recursive: true });
  try {
    await runLogged({
      command: go,
      args: ['build', '-trimpath', '-o', staging, '.'],
      cwd: join(NATIVE_DIR, 'ferretdb'),
      env: goEnv,
      logFile,
      failureCode: 'INFRA.FETCH_FAILED',
      what: `building FerretDB ${FERRETDB_VERSION}`,
    });
    renameSync(staging, binary);
  } finally {
    rmSync(staging, { force: true });
  }
  log(`mongo: FerretDB built: ${binary}`);
  return binary;
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

/** A real MongoDB when one is installed, otherwise FerretDB on SQLite (no registry here ships mongod). */
export function mongoServer(config: InfraConfig): ServerDefinition {
  const port = config.ports.mongo.port;
  const address = `127.0.0.1:${port}`;
  return {
    name: 'mongo',
    ports: [config.ports.mongo],
    address,
    readyTimeoutMs: 30_000,
    unavailableReason: () => null,
    async prepare(context) {
      const mongod = findOnPath('mongod', config.env);
      if (mongod !== null) return prepareMongod(config, mongod);
      const binary = await buildFerretdb(context);
      const dataDir = join(config.stateDir, 'ferretdb', 'data');
      mkdirSync(dataDir, { recursive: true });
      return {
        command: binary,
        args: ['-listen', address, '-dir', `${dataDir}/`],
        cwd: join(config.stateDir, 'ferretdb'),
        env: config.env,
        identity: { cmdlineIncludes: [binary, `${dataDir}/`] },
        description: `ferretdb ${FERRETDB_VERSION}`,
      };
    },
    probe: (timeoutMs) => probeMongo(`mongodb://${address}`, timeoutMs),
  };
}
