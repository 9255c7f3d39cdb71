import type {
  Metadata} from '@grpc/grpc-js';
import {
  InterceptingCall,
  status,
  type Interceptor,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { extractTraceContext, injectTraceHeaders, recordSpanError, startSpan } from './spans.js';

function rpcAttributes(path: string) {
  const [, service = '', method = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return { name: `${service}/${method}`, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } };
}

function metadataCarrier(metadata: Metadata): Record<string, string> {
  const carrier: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const value = metadata.get(key)[0];
    if (typeof value === 'string') carrier[key] = value;
  }
  return carrier;
}

/**
 * A client span per call, with its context written into the call's metadata (`traceparent`), so the server's span
 * is its child. Add it to a client's `interceptors`.
 */
export const grpcClientTracing: Interceptor = (options, nextCall) => {
  const { name, attributes } = rpcAttributes(options.method_definition.path);
  const { span, context: ctx } = startSpan(name, { kind: SpanKind.CLIENT, attributes });
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      for (const [key, value] of Object.entries(injectTraceHeaders({}, ctx))) metadata.set(key, value);
      // Only the status is intercepted. Spreading the incoming listener would copy its one-argument methods, and
      // grpc-js would then take this object for an intercepting listener and call onReceiveStatus without `next`.
      next(metadata, {
        onReceiveStatus(callStatus, nextStatus) {
          span.setAttribute('rpc.grpc.status_code', callStatus.code);
          if (callStatus.code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: status[callStatus.code] });
          span.end();
          nextStatus(callStatus);
        },
      });
    },
  });
};

/**
 * Wraps a service's unary handlers so each call runs in a server span continuing the caller's `traceparent`
 * metadata (a missing or malformed one starts a new trace). The span ends when the handler answers.
 */
export function traceGrpcHandlers<T extends object>(definition: ServiceDefinition, handlers: T): T {
  const wrapped: UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    const handler = (handlers as Record<string, unknown>)[key];
    if (typeof handler !== 'function') continue;
    if (method.requestStream || method.responseStream) {
      wrapped[key] = handler as UntypedServiceImplementation[string];
      continue;
    }
    const unary = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;
    const { name, attributes } = rpcAttributes(method.path);
    wrapped[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const { span, context: ctx } = startSpan(name, { kind: SpanKind.SERVER, attributes, parent: extractTraceContext(metadataCarrier(call.metadata)) });
      let answered = false;
      const answer: sendUnaryData<unknown> = (error, value, trailer, flags) => {
        answered = true;
        const code = error ? (error.code ?? status.UNKNOWN) : status.OK;
        span.setAttribute('rpc.grpc.status_code', code);
        if (code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
        span.end();
        callback(error, value, trailer, flags);
      };
      const result = context.with(ctx, () => unary(call, answer));
      // A handler that rejects without answering still ends its span (grpc-js answers the caller itself).
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (answered) return;
          recordSpanError(span, error);
          span.end();
        });
      }
      return result;
    };
  }
  return wrapped as T;
}
