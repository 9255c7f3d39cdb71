import { Kafka, logLevel as kafkaLogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '../logger.js';

export interface KafkaClientConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly log: Logger;
  /** Extra kafkajs settings (SSL, SASL) for clusters that need them. */
  readonly overrides?: Partial<KafkaConfig>;
}

/** kafkajs has had no maintainer since 2023: it stays behind this module and the publisher/consumer runner. */
export function createKafka(config: KafkaClientConfig): Kafka {
  const log = config.log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: kafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const fields: Record<string, unknown> = { namespace: rest['namespace'], broker: rest['broker'], error: rest['error'] };
        if (level <= kafkaLogLevel.ERROR) log.error(fields, message);
        else if (level === kafkaLogLevel.WARN) log.warn(fields, message);
        else log.debug(fields, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
    ...config.overrides,
  });
}
