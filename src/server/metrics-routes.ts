// GET /metrics (Prometheus text from the registry the service owns) and GET /readyz.
import { Router, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';

export interface MetricsRouteDeps {
  /** This process's registry, or anything answering like one (the cluster's aggregate). */
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  /** Steps still pending before the service is ready (empty: ready). */
  pending: () => readonly string[];
  /** False when this request may not read the metrics (config `metrics.requireToken` without the token). */
  allowed?: (req: Request) => boolean;
}

export function metricsRoutes({ registry, pending, allowed = () => true }: MetricsRouteDeps): Router {
  const router = Router();

  router.get('/metrics', async (req: Request, res: Response) => {
    if (!allowed(req)) {
      res.status(401).set({ 'Cache-Control': 'no-store', 'WWW-Authenticate': 'Bearer realm="metrics"' }).type('text/plain');
      res.send('Unauthorized: metrics need Authorization: Bearer <admin token>\n');
      return;
    }
    const body = await registry.metrics();
    res.status(200).set('Cache-Control', 'no-store').type(registry.contentType).send(body);
  });

  router.get('/readyz', (_req: Request, res: Response) => {
    const waiting = pending();
    res.set('Cache-Control', 'no-store').type('text/plain');
    if (waiting.length === 0) res.status(200).send('ready\n');
    else res.status(503).send(`not ready: waiting for ${waiting.join(', ')}\n`);
  });

  return router;
}
