// /stories/{id}: the page of one story, cached and conditional like the feeds; 410 Gone with a link to
// the index for a story retention pruned; 404 for ids that never were.
import { Router, type Request, type Response } from 'express';
import type { RenderCache } from '../publish/render-cache.js';
import { sendRendered } from './conditional.js';

/** Story ids are hex digests (ingest/dedup.ts `storyId`); anything else is not looked up. */
const STORY_ID = /^[0-9A-Za-z_-]{1,64}$/;

export function storyRoutes(cache: Pick<RenderCache, 'getStory'>): Router {
  const router = Router();
  router.get('/stories/:id', async (req: Request<{ id: string }>, res: Response) => {
    const id = req.params.id;
    const page = STORY_ID.test(id) ? await cache.getStory(id) : { state: 'unknown' as const };
    if (page.state === 'unknown') {
      res.status(404).set('Cache-Control', 'no-store').type('text/plain').send('Not found: no story with this id\n');
      return;
    }
    if (page.state === 'pruned') {
      // Not conditional: a 304 would tell a cache its old copy of the story is still good.
      res.status(410).set('Cache-Control', page.rendered.cacheControl).type(page.rendered.contentType).send(page.rendered.body);
      return;
    }
    sendRendered(req, res, page.rendered);
  });
  return router;
}
