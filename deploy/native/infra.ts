// `pnpm infra <up|down|status>`: real Kafka, MongoDB-wire, Redis and the SMTP/SMS sandbox on this machine.
// `pnpm infra restart|stop|start <redis|mongo|kafka|sandbox>` acts on one server and leaves the others running.
import { InfraError, infraDown, infraStatus, infraUp, restartServer, startServer, stopServer, type ServerName } from '@kindred/infra-native';

const USAGE = 'usage: pnpm infra <up|down|status>, or pnpm infra <restart|stop|start> <redis|mongo|kafka|sandbox> [--kill]';
const SERVER_NAMES: readonly ServerName[] = ['redis', 'mongo', 'kafka', 'sandbox'];

function serverNamed(name: string | undefined): ServerName {
  const found = SERVER_NAMES.find((candidate) => candidate === name);
  if (found === undefined) throw new InfraError('INFRA.BAD_CONFIG', `name one server: ${SERVER_NAMES.join(', ')} (got ${JSON.stringify(name ?? '')})`);
  return found;
}

async function main(command: string, rest: readonly string[]): Promise<number> {
  const began = Date.now();
  const seconds = (): string => ((Date.now() - began) / 1000).toFixed(1);
  switch (command) {
    case 'up': {
      const abort = new AbortController();
      const onSignal = (): void => abort.abort(new InfraError('INFRA.START_FAILED', 'interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const endpoints = await infraUp({ signal: abort.signal });
      console.log(`[infra] up in ${seconds()} s`);
      console.log(`  kafka    ${endpoints.kafkaBrokers}  (kafka ${endpoints.kafkaVersion})`);
      console.log(`  mongo    ${endpoints.mongoUrl}  (${endpoints.mongoServer})`);
      console.log(`  redis    ${endpoints.redisUrl}  (${endpoints.redisServer})`);
      console.log(`  smtp     ${endpoints.smtpUrl ?? 'NOT RUNNING (packages/sandbox missing)'}`);
      console.log(`  sandbox  ${endpoints.sandboxUrl ?? 'NOT RUNNING (packages/sandbox missing)'}`);
      return 0;
    }
    case 'down':
      await infraDown();
      console.log(`[infra] down in ${seconds()} s`);
      return 0;
    case 'status': {
      const statuses = await infraStatus();
      for (const status of statuses) {
        const pid = status.pid === null ? '-' : String(status.pid);
        const detail = status.detail === null ? '' : `  ${status.detail}`;
        console.log(
          `${status.name.padEnd(8)} ${status.state.padEnd(11)} pid ${pid.padEnd(8)} ${status.address.padEnd(16)} ${status.description ?? ''}${detail}`,
        );
      }
      return statuses.every((status) => status.state === 'healthy' || status.state === 'unavailable') ? 0 : 1;
    }
    case 'restart': {
      const restart = await restartServer(serverNamed(rest[0]), { kill: rest.includes('--kill') });
      console.log(`[infra] ${restart.name} restarted: pid ${restart.stoppedPid ?? '-'} -> ${restart.pid}, down ${(restart.downMs / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'stop': {
      const name = serverNamed(rest[0]);
      const pid = await stopServer(name, { kill: rest.includes('--kill') });
      console.log(pid === null ? `[infra] ${name} was not running` : `[infra] ${name} (pid ${pid}) stopped`);
      return 0;
    }
    case 'start': {
      const name = serverNamed(rest[0]);
      console.log(`[infra] ${name} runs as pid ${await startServer(name)} (${seconds()} s)`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv[2] ?? '', process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InfraError) console.error(`[infra] ${error.code}: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
