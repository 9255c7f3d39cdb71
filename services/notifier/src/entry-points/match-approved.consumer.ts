import { decodeEnvelope, type DecodedEnvelope } from '@kindred/contracts';
import { activeTraceContext, AppError, runConsumer, type createKafka, type Logger, type RecordPublisher, type RunningConsumer } from '@kindred/platform';
import { topicKeysOf } from '../adapters/delivery-events.js';
import { introduceMatch, type IntroduceMatchDeps } from '../use-cases/introduce-match.js';

/** Lost connections to MongoDB are outages: the record waits for the database instead of going to the dead-letter topic. */
function isDatabaseOutage(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'MongoNetworkError' || name === 'MongoNetworkTimeoutError' || name === 'MongoServerSelectionError' || name === 'MongoNotConnectedError';
}

async function introduceOrWait(...args: Parameters<typeof introduceMatch>): Promise<void> {
  try {
    await introduceMatch(...args);
  } catch (error) {
    if (isDatabaseOutage(error)) throw new AppError('NOTIFIER.DATABASE_UNAVAILABLE', 'MongoDB unavailable', { retriable: true, cause: error });
    throw error;
  }
}

/** Reads the matches topic; only MatchApproved matters here, every other lifecycle event is skipped. */
export function startMatchApprovedConsumer(deps: {
  kafka: ReturnType<typeof createKafka>;
  publisher: RecordPublisher;
  groupId: string;
  topic: string;
  introduce: IntroduceMatchDeps;
  log: Logger;
}): Promise<RunningConsumer> {
  return runConsumer<DecodedEnvelope>({
    kafka: deps.kafka,
    groupId: deps.groupId,
    topics: [deps.topic],
    publisher: deps.publisher,
    log: deps.log,
    decode: (value) => decodeEnvelope(value),
    handle: async (record) => {
      const { event } = record.value;
      if (event.$case !== 'matchApproved') return;
      const approved = event.matchApproved;
      const missing = (['matchId', 'newcomerId', 'peerId'] as const).filter((field) => approved[field] === '');
      if (missing.length > 0) {
        // Permanent: the runner sends it to the dead-letter topic and the partition moves on.
        throw new AppError('NOTIFIER.MATCH_APPROVED_INCOMPLETE', `MatchApproved lacks ${missing.join(', ')}`);
      }
      await introduceOrWait(
        deps.introduce,
        {
          matchId: approved.matchId,
          newcomerId: approved.newcomerId,
          peerId: approved.peerId,
          sharedTopics: topicKeysOf(approved.sharedTopics),
          shareTopicsConsented: approved.shareTopicsConsented,
        },
        // The consumer span continues the journey; the envelope's trace is the fallback.
        activeTraceContext().traceparent || (record.value.trace?.traceparent ?? ''),
        record.log,
      );
    },
  });
}
