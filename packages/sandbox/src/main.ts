import { SandboxConfigError, sandboxConfigFromEnv } from './config.js';

const log = (event: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'sandbox', event, ...fields })}\n`);
};

async function main(): Promise<void> {
  let config;
  try {
    config = sandboxConfigFromEnv(process.env);
  } catch (error) {
    if (error instanceof SandboxConfigError) {
      process.stderr.write(`sandbox: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Loaded after the config is known good, so a bad variable is reported without loading the servers.
  const { startSandbox } = await import('./sandbox.js');
  const sandbox = await startSandbox(config);
  log('ready', { smtpPort: sandbox.smtpPort, httpPort: sandbox.httpPort, url: sandbox.url, persistent: config.dataDir !== undefined });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log('stopping', { signal });
    sandbox.close().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`sandbox: error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
