// GET /healthz: 200 while the database answers. Served by every role, the worker's minimal server included.
import { Router, type Request, type Response } from 'express';
import type { Store } from '../store/store.js';

export function healthRoutes(store: Pick<Store, 'ping'>): Router {
  const router = Router();
  router.get('/healthz', async (_req: Request, res: Response) => {
    const ok = await store.ping().catch(() => false);
    res.status(ok ? 200 : 503).set('Cache-Control', 'no-store').type('text/plain').send(ok ? 'ok\n' : 'database unavailable\n');
  });
  return router;
}
