import express, { type Express } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReadinessCheck = () => Promise<boolean> | boolean;

export interface OpsRoutesConfig {
  readonly registry: Registry;
  /** Each named check must pass for /readyz to answer 200. */
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  /** True once shutdown began: readiness turns false so load balancers drain us first. */
  readonly isStopping: () => boolean;
}

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** /healthz (the process is alive), /readyz (it can do its work), /metrics (Prometheus). */
export function mountOpsRoutes(app: Express, config: OpsRoutesConfig): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(config.readiness)) {
      try {
        checks[name] = await check();
      } catch {
        checks[name] = false;
      }
    }
    const ready = !config.isStopping() && Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', stopping: config.isStopping(), checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(config.registry.contentType).send(await config.registry.metrics());
  });
}

export interface HttpServerHandle {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Listens (port 0 in tests) and closes gracefully: stops accepting, then ends idle keep-alive sockets. */
export async function listen(app: Express, port: number, host = '0.0.0.0'): Promise<HttpServerHandle> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

export function createOpsApp(config: OpsRoutesConfig): Express {
  const app = express();
  app.disable('x-powered-by');
  mountOpsRoutes(app, config);
  return app;
}
