// Media enclosures of an article (podcast audio, video, documents): which declared enclosures are kept,
// and how the copies of one story combine theirs. Images are not kept here: they are lead image candidates.
import type { Enclosure, RawEnclosure } from '../types.js';

const IMAGE_EXTENSION = /\.(?:jpe?g|jpe|png|gif|webp|avif|svg|bmp|ico|tiff?|heic)$/i;
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
/** A URL longer than this is not a media file a reader would fetch (and would bloat every feed it is in). */
const MAX_URL_LENGTH = 2048;
/**
 * Media files kept per item and per merged story: a podcast episode has one or a few; a feed declaring thousands on
 * one item would otherwise store them all and repeat them in every feed and page the story is in.
 */
export const MAX_ENCLOSURES = 20;

function isImage(url: URL, type: string | null): boolean {
  return type !== null ? type.startsWith('image/') : IMAGE_EXTENSION.test(url.pathname);
}

/** A declared size in bytes: a whole positive number, else unknown (feeds write 0 or text when they do not know). */
function byteLength(value: string | number | undefined): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * The media enclosures kept of an item: absolute http(s) URLs only (no javascript:, data:, relative leftovers),
 * no images, each URL once (the first declaration wins), in document order. `dropped` names what was left out.
 */
export function mediaEnclosures(raw: readonly RawEnclosure[] | undefined, dropped: string[] = []): Enclosure[] {
  const out: Enclosure[] = [];
  for (const e of raw ?? []) {
    const url = URL.canParse(e.url) ? new URL(e.url) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.href.length > MAX_URL_LENGTH) {
      dropped.push(`enclosure "${e.url.slice(0, 80)}" dropped: not an http(s) URL`);
      continue;
    }
    const declared = e.type?.trim().toLowerCase().split(';')[0]?.trim() ?? '';
    const type = MEDIA_TYPE.test(declared) ? declared : null;
    if (isImage(url, type) || out.some((kept) => kept.url === url.href)) continue;
    if (out.length === MAX_ENCLOSURES) {
      dropped.push(`enclosures after the first ${MAX_ENCLOSURES} dropped`);
      break;
    }
    out.push({ url: url.href, type, length: byteLength(e.length) });
  }
  return out;
}

/**
 * The enclosures of a merged story: the union by URL over its copies, taken in merge order (publication
 * time, source, id) and each copy's own order; a URL's first copy gives its type and length, a later copy
 * fills only what the first left unknown. Same copies in any order, same list.
 */
export function mergeEnclosures(copies: readonly (readonly Enclosure[] | undefined)[]): Enclosure[] {
  const byUrl = new Map<string, Enclosure>();
  for (const list of copies) {
    for (const e of list ?? []) {
      const kept = byUrl.get(e.url);
      if (!kept && byUrl.size === MAX_ENCLOSURES) continue;
      if (!kept) byUrl.set(e.url, { url: e.url, type: e.type, length: e.length });
      else byUrl.set(e.url, { url: e.url, type: kept.type ?? e.type, length: kept.length ?? e.length });
    }
  }
  return [...byUrl.values()];
}
