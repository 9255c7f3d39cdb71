import { KafkaContainer } from '@testcontainers/kafka';
import { MongoDBContainer } from '@testcontainers/mongodb';
import { RedisContainer } from '@testcontainers/redis';
import { startSandbox } from '@kindred/sandbox';
import type { TestInfra } from '@kindred/testkit';

/**
 * Docker mode: the official images, as in deploy/docker-compose.yml. The SMTP capture and SMS sandbox are our own
 * Node server, so they run in-process here, exactly as the native launcher runs them.
 */
export async function startContainers(): Promise<{ infra: TestInfra; stop: () => Promise<void> }> {
  const [kafka, mongo, redis] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.1').withKraft().start(),
    new MongoDBContainer('mongo:8.0').start(),
    new RedisContainer('redis:7.4').withCommand(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']).start(),
  ]);
  const authToken = 'sandbox-auth-token';
  const sandbox = await startSandbox({ smtpPort: 0, httpPort: 0, authToken });
  return {
    infra: {
      mode: 'docker',
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
      mongoUrl: `${mongo.getConnectionString()}/?directConnection=true`,
      redisUrl: redis.getConnectionUrl(),
      smtpUrl: `smtp://127.0.0.1:${sandbox.smtpPort}`,
      sandboxUrl: sandbox.url,
      twilioAuthToken: authToken,
    },
    stop: async () => {
      await sandbox.close();
      await Promise.all([kafka.stop(), mongo.stop(), redis.stop()]);
    },
  };
}
