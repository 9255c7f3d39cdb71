import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { extractTraceContext, startSpan } from './spans.js';

/**
 * A server span per HTTP request, continuing an incoming `traceparent` (a malformed one starts a new trace). The
 * span is named after the route pattern once it is known, never the path (ids) or the query. The request and
 * response emitters are bound to the span's context so that body parsing and `finish` listeners, which run
 * outside the middleware chain's async context, still see it.
 */
export function traceHttpRequests(options: { readonly ignorePaths?: readonly string[] } = {}): RequestHandler {
  const ignored = new Set(options.ignorePaths ?? ['/healthz', '/readyz', '/metrics']);
  return (req, res, next) => {
    if (ignored.has(req.path)) {
      next();
      return;
    }
    const parent = extractTraceContext({ traceparent: req.get('traceparent'), tracestate: req.get('tracestate') });
    const { span, context: ctx } = startSpan(req.method, {
      kind: SpanKind.SERVER,
      parent,
      attributes: { 'http.request.method': req.method, 'url.scheme': req.protocol },
    });
    context.bind(ctx, req);
    context.bind(ctx, res);
    let ended = false;
    // `close` without `finish`: the client went away before the answer was complete.
    const end = () => {
      if (ended) return;
      ended = true;
      const route = (req.route as { path?: string } | undefined)?.path;
      const fullRoute = route === undefined ? undefined : `${req.baseUrl}${route}`;
      if (fullRoute !== undefined) {
        span.updateName(`${req.method} ${fullRoute}`);
        span.setAttribute('http.route', fullRoute);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) span.setAttribute('http.request.aborted', true);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(ctx, next);
  };
}
