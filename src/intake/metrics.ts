/** The intake's Prometheus metrics (prom-client) and the endpoint that serves them. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HostPort } from './config';

export interface IntakeMetrics {
  registry: Registry;
  /** Verdicts by source and what was done: takedown, dry-run, review, ignore, acknowledged. */
  verdicts: Counter<'source' | 'action'>;
  /** Deliveries that joined what an earlier one started, by source. */
  duplicates: Counter<'source'>;
  /** Deliveries refused, by source and reason (the answer's code). */
  rejections: Counter<'source' | 'reason'>;
  /** Seconds from request to answer, by route and status. */
  answerSeconds: Histogram<'route' | 'status'>;
}

export function createMetrics(): IntakeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'takedown_intake_' });
  return {
    registry,
    verdicts: new Counter({ name: 'takedown_intake_verdicts_total', help: 'Verdicts handled, by source and action', labelNames: ['source', 'action'], registers: [registry] }),
    duplicates: new Counter({ name: 'takedown_intake_duplicates_total', help: 'Deliveries that joined what an earlier delivery started', labelNames: ['source'], registers: [registry] }),
    rejections: new Counter({ name: 'takedown_intake_rejections_total', help: 'Deliveries refused, by source and reason', labelNames: ['source', 'reason'], registers: [registry] }),
    answerSeconds: new Histogram({
      name: 'takedown_intake_answer_seconds',
      help: 'Time from request to answer',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** Serves `GET /metrics`; resolves once listening. */
export async function serveMetrics(metrics: IntakeMetrics, address: HostPort): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
