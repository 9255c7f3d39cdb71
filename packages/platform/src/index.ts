export { AppError, errorCode, errorMessage, isAppError, type AppErrorOptions } from './errors.js';
export { ConfigError, env, loadConfig } from './config.js';
export { createLogger, redactedPaths, type Logger, type LoggerConfig } from './logger.js';
export {
  activeSpanIds,
  activeTraceContext,
  extractTraceContext,
  injectTraceHeaders,
  inSpan,
  linkTo,
  noTraceContext,
  recordSpanError,
  SpanKind,
  startSpan,
  traceIdOf,
  withTraceContext,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type TraceContext,
} from './tracing/spans.js';
/** For tests that read the spans a service made, without adding the SDK to their package. */
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
export { otlpTracesUrlOf, samplerOf, startTracing, tracingConfigShape, type SamplerName, type Tracing, type TracingConfig } from './tracing/tracing.setup.js';
export { traceHttpRequests } from './tracing/http-tracing.js';
export { grpcClientTracing, traceGrpcHandlers } from './tracing/grpc-tracing.js';
export { createKafka, type KafkaClientConfig } from './kafka/kafka-client.js';
export { createRecordPublisher, type OutgoingRecord, type RecordPublisher } from './kafka/publisher.js';
export {
  deadLetterHeaders,
  runConsumer,
  type ConsumerRunnerConfig,
  type IncomingRecord,
  type RunningConsumer,
} from './kafka/consumer-runner.js';
export { connectMongo, isDuplicateKeyError, pingMongo, syncIndexes, type MongoConfig } from './mongo.js';
export { createShutdown, exitOnSignals, type Shutdown, type ShutdownStep } from './shutdown.js';
export {
  createMetricsRegistry,
  createOpsApp,
  listen,
  mountOpsRoutes,
  type HttpServerHandle,
  type OpsRoutesConfig,
  type ReadinessCheck,
} from './ops-server.js';
export { runServiceMain, type ServiceContext } from './service-main.js';
export { eventHeaders, eventToRecord, namespacedTopic, newEvent, recordToEvent } from './kafka/event-records.js';
export { ensureTopics, type EnsureTopicsOptions } from './kafka/topics.js';
