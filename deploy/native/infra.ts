// `pnpm infra <up|down|status>`: real Kafka, MongoDB-wire, Redis and the SMTP/SMS sandbox on this machine.
import { InfraError, infraDown, infraStatus, infraUp } from '@kindred/infra-native';

const USAGE = 'usage: pnpm infra <up|down|status>';

async function main(command: string): Promise<number> {
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
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv[2] ?? '').then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InfraError) console.error(`[infra] ${error.code}: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
