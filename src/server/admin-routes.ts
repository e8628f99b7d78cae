// Admin routes, all under /admin and all behind a bearer token (config `admin.token` or env
// AGGREGATOR_ADMIN_TOKEN). Without a configured token they do not exist (404); without the right
// token every one of them answers 401. Tokens are compared as SHA-256 digests with timingSafeEqual:
// equal lengths, constant time, so neither length nor prefix leaks.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';

export interface AdminDeps {
  /** The current token, read per request so a config reload takes effect; undefined: admin disabled. */
  token: () => string | undefined;
  /**
   * Runs every source and the seed folder now, or only the named one; resolves with the names run
   * when they finished, or null when no source has that name. Absent in a process that runs no scheduler
   * (`--role web`): the route then says so (503).
   */
  refresh?: ((source?: string) => Promise<string[] | null>) | undefined;
  /**
   * Where no scheduler runs here (`--role web`): records the request for the workers and resolves with its status,
   * or null when no source has that name. POST /admin/refresh then answers 202 and GET /admin/refresh/ID follows it.
   */
  queueRefresh?: ((source?: string) => Promise<QueuedRefresh | null>) | undefined;
  refreshStatus?: ((id: number) => Promise<QueuedRefresh | undefined>) | undefined;
}

/** A recorded refresh request's status (scheduler/refresh-requests.ts), answered as JSON. */
export interface QueuedRefresh {
  id: number;
  state: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time check of an `Authorization: Bearer …` header against the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(match ? match[1]! : '');
  // Compare even when the header is absent, so timing does not tell absent from wrong.
  return timingSafeEqual(given, digest(token)) && match !== null;
}

/** True when the request carries the admin token (false when none is configured). */
export function hasAdminToken(req: Request, token: string | undefined): boolean {
  return token !== undefined && token !== '' && bearerMatches(req.get('authorization'), token);
}

function plain(res: Response, status: number, message: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('text/plain').send(`${message}\n`);
}

export function adminRoutes(deps: AdminDeps): Router {
  const router = Router();

  router.use('/admin', (req: Request, res: Response, next: NextFunction) => {
    const token = deps.token();
    if (!token) return plain(res, 404, 'Not found');
    if (!bearerMatches(req.get('authorization'), token)) {
      res.set('WWW-Authenticate', 'Bearer realm="admin"');
      return plain(res, 401, 'Unauthorized: send Authorization: Bearer <admin token>');
    }
    next();
  });

  router.post('/admin/refresh', async (req: Request, res: Response) => {
    const source = req.query['source'];
    if (source !== undefined && (typeof source !== 'string' || source.trim() === '')) {
      return plain(res, 400, 'Bad source: give ?source=NAME once');
    }
    if (!deps.refresh && deps.queueRefresh) {
      const queued = await deps.queueRefresh(source);
      if (queued === null) return plain(res, 404, 'Unknown source');
      const follow = `/admin/refresh/${queued.id}`;
      return void res.status(202).set({ 'Cache-Control': 'no-store', Location: follow }).json({ ...queued, follow });
    }
    if (!deps.refresh) return plain(res, 503, 'This process runs no scheduler: refresh from a process of role all or worker');
    const refreshed = await deps.refresh(source);
    if (refreshed === null) return plain(res, 404, 'Unknown source');
    res.status(200).set('Cache-Control', 'no-store').json({ refreshed });
  });

  router.get('/admin/refresh/:id', async (req: Request, res: Response) => {
    const id = Number(req.params['id']);
    const status = deps.refreshStatus && Number.isSafeInteger(id) && id > 0 ? await deps.refreshStatus(id) : undefined;
    if (!status) return plain(res, 404, 'Unknown refresh request (finished requests are kept a day)');
    res.status(200).set('Cache-Control', 'no-store').json(status);
  });

  return router;
}
