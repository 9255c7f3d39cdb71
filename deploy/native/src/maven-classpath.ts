import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { InfraConfig } from './infra-config.js';
import { requireTool, runLogged } from './tool-runner.js';

export interface MavenClasspath {
  /** Names the cache folder (`<name>-<version>`) and the log (`<logName>-fetch.log`). */
  readonly name: string;
  readonly version: string;
  readonly logName: string;
  /** The POM whose runtime dependencies are the classpath, and the property its version comes from. */
  readonly pom: string;
  readonly versionProperty: string;
  /** A jar whose presence proves the folder complete. */
  readonly markerJarPrefix: string;
  /** What a person reads in progress lines and errors. */
  readonly what: string;
}

/**
 * Fetches a Java server's runtime classpath from Maven Central into the cache once (`mvn
 * dependency:copy-dependencies`), staging it aside and renaming it into place, so an interrupted fetch never
 * looks cached. Returns the folder of jars.
 */
export async function fetchMavenClasspath(config: InfraConfig, log: (line: string) => void, spec: MavenClasspath): Promise<string> {
  const versionDir = join(config.cacheDir, `${spec.name}-${spec.version}`);
  const libDir = join(versionDir, 'lib');
  if (existsSync(libDir) && readdirSync(libDir).some((file) => file.startsWith(spec.markerJarPrefix))) return libDir;

  const mvn = requireTool('mvn', config.env, `fetching ${spec.what} from Maven Central`);
  const staging = `${versionDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const logFile = join(config.stateDir, 'logs', `${spec.logName}-fetch.log`);
  log(`${spec.logName}: fetching ${spec.what} and its runtime jars from Maven Central (log: ${logFile})`);
  await runLogged({
    command: mvn,
    args: [
      '-B',
      '--no-transfer-progress',
      '-f',
      spec.pom,
      `-D${spec.versionProperty}=${spec.version}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(staging, 'lib')}`,
    ],
    cwd: join(spec.pom, '..'),
    env: config.env,
    logFile,
    failureCode: 'INFRA.FETCH_FAILED',
    what: `fetching ${spec.what} from Maven Central`,
  });
  rmSync(versionDir, { recursive: true, force: true });
  renameSync(staging, versionDir);
  log(`${spec.logName}: ${readdirSync(libDir).length} jars cached in ${libDir}`);
  return libDir;
}
