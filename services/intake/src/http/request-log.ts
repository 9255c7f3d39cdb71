import { performance } from 'node:perf_hooks';
import type { RequestHandler, Response } from 'express';
import { ulid } from 'ulid';
import type { Logger } from '@kindred/platform';

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One child logger per request carrying its correlation id, and one line per finished request with the route
 * pattern (never the path's ids, the query or the body) so logs stay free of PII.
 */
export function requestLogging(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && requestIdPattern.test(incoming) ? incoming : ulid();
    res.setHeader('x-request-id', requestId);
    const child = log.child({ requestId });
    res.locals['log'] = child;
    const started = performance.now();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const entry = { method: req.method, route, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (route === '/healthz' || route === '/readyz' || route === '/metrics') child.debug(entry, 'request');
      else child.info(entry, 'request');
    });
    next();
  };
}

export function requestLog(res: Response, fallback: Logger): Logger {
  return (res.locals['log'] as Logger | undefined) ?? fallback;
}
