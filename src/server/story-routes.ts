// /stories/{id}: the page of one story, cached and conditional like the feeds; 301 to the story's new id
// when an earlier copy of it arrived later (the story is named after its earliest copy); 410 Gone with a
// link to the index for a story retention pruned; 404 (a page leading to the index) for ids that never were.
import { Router, type Request, type Response } from 'express';
import type { FeedSite } from '../publish/build-feed.js';
import { renderNotFoundPage } from '../publish/html-page.js';
import type { RenderCache } from '../publish/render-cache.js';
import { storyUrl } from '../publish/feed-urls.js';
import { sendRendered } from './conditional.js';

/** Story ids are hex digests (ingest/dedup.ts `storyId`); anything else is not looked up. */
const STORY_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** How long a redirect of a moved story id may be cached (a story page's own max-age). */
const MOVED_MAX_AGE_S = 300;

export function storyRoutes(cache: Pick<RenderCache, 'getStory'>, site: FeedSite): Router {
  const notFound = renderNotFoundPage(site, 'No story at this address');
  const router = Router();
  router.get('/stories/:id', async (req: Request<{ id: string }>, res: Response) => {
    const id = req.params.id;
    const page = STORY_ID.test(id) ? await cache.getStory(id) : { state: 'unknown' as const };
    if (page.state === 'unknown') {
      res.status(404).set('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(notFound);
      return;
    }
    if (page.state === 'moved') {
      // Cached like a page, not for ever: a later run can move the story back.
      res.status(301).set('Cache-Control', `public, max-age=${MOVED_MAX_AGE_S}`).location(storyUrl(site.baseUrl, page.storyId)).end();
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
