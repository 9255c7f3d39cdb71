import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeKafka } from './health-probes.js';
import { NATIVE_DIR, type InfraConfig } from './infra-config.js';
import type { ServerContext, ServerDefinition } from './server-definition.js';
import { fetchMavenClasspath } from './maven-classpath.js';
import { requireTool, runLogged } from './tool-runner.js';

export interface KafkaPropertiesInput {
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
}

/** Single-node KRaft broker+controller tuned for tests: everything replicated once, no rebalance delay. */
export function renderServerProperties(input: KafkaPropertiesInput): string {
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${input.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${input.port},CONTROLLER://127.0.0.1:${input.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${input.port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': input.dataDir,
    'num.partitions': 3,
    'auto.create.topics.enable': true,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'delete.topic.enable': true,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'log.retention.hours': 24,
  };
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${String(value)}`);
  return `# Written by deploy/native on every start; edit deploy/native/src/kafka.server.ts instead.\n${lines.join('\n')}\n`;
}

const LOG4J2_PROPERTIES = `# Console only: the launcher sends the broker's stdout to its log file.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = org.apache.kafka
logger.kafka.level = warn
logger.controller.name = kafka.controller
logger.controller.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
`;

function fetchKafkaJars(context: ServerContext): Promise<string> {
  const { config } = context;
  return fetchMavenClasspath(config, context.log, {
    name: 'kafka',
    version: config.kafkaVersion,
    logName: 'kafka',
    pom: join(NATIVE_DIR, 'kafka/pom.xml'),
    versionProperty: 'kafka.version',
    markerJarPrefix: `kafka_2.13-${config.kafkaVersion}`,
    what: `kafka_2.13 ${config.kafkaVersion}`,
  });
}

/**
 * Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. One that starts with "-" would be read
 * by the storage tool as an option (1 start in 64 failed with "argument --cluster-id: expected one argument"), so,
 * like Kafka's own Uuid.randomUuid(), draw again.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function kafkaServer(config: InfraConfig): ServerDefinition {
  const { kafka, kafkaController } = config.ports;
  const kafkaDir = join(config.stateDir, 'kafka');
  const propertiesFile = join(kafkaDir, 'server.properties');
  const address = `127.0.0.1:${kafka.port}`;
  return {
    name: 'kafka',
    ports: [kafka, kafkaController],
    address,
    readyTimeoutMs: 120_000,
    unavailableReason: () => null,
    async prepare(context) {
      const java = requireTool('java', config.env, 'running the Kafka broker');
      const libDir = await fetchKafkaJars(context);
      // Data per version: a newer broker may upgrade the metadata log, an older one could not read it back.
      const dataDir = join(kafkaDir, config.kafkaVersion, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(propertiesFile, renderServerProperties({ port: kafka.port, controllerPort: kafkaController.port, dataDir }));
      const log4jFile = join(kafkaDir, 'log4j2.properties');
      writeFileSync(log4jFile, LOG4J2_PROPERTIES);
      const classpath = `${libDir}/*`;
      const jvmArgs = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4jFile}`];
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        context.log(`kafka: formatting KRaft storage in ${dataDir}`);
        await runLogged({
          command: java,
          args: [...jvmArgs, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile, '--ignore-formatted'],
          cwd: kafkaDir,
          env: config.env,
          logFile: join(config.stateDir, 'logs', 'kafka-format.log'),
          failureCode: 'INFRA.START_FAILED',
          what: 'formatting Kafka storage',
        });
      }
      return {
        command: java,
        args: [...jvmArgs, '-cp', classpath, 'kafka.Kafka', propertiesFile],
        cwd: kafkaDir,
        env: config.env,
        identity: { cmdlineIncludes: ['kafka.Kafka', propertiesFile] },
        description: `kafka ${config.kafkaVersion}`,
      };
    },
    probe: (timeoutMs) => probeKafka(address, timeoutMs),
  };
}

