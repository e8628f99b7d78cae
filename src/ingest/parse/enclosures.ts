// The enclosures an item declares, as found: RSS <enclosure url length type>, Atom <link rel="enclosure"
// href type length> (also in RSS as atom:link), JSON Feed `attachments`. URLs are resolved here against the
// item's base; what counts as media, and which values are usable, is decided in ingest/enclosures.ts.
import type { RawEnclosure } from '../../types.js';
import { absoluteUrl } from './feed-values.js';
import { attr, children, type XNode } from './xml-node.js';

/** The enclosures of an RSS item or Atom entry, in document order; undefined when there are none. */
export function xmlEnclosures(node: XNode, base: string): RawEnclosure[] | undefined {
  const out: RawEnclosure[] = [];
  const add = (url: string | undefined, type: string | undefined, length: string | undefined) => {
    const abs = absoluteUrl(url, base);
    if (abs) out.push({ url: abs, type, length });
  };
  for (const e of children(node, 'enclosure')) add(attr(e, 'url'), attr(e, 'type'), attr(e, 'length'));
  for (const name of ['link', 'atom:link']) {
    for (const l of children(node, name)) {
      if (attr(l, 'rel') === 'enclosure') add(attr(l, 'href'), attr(l, 'type'), attr(l, 'length'));
    }
  }
  return out.length ? out : undefined;
}

/** JSON Feed `attachments` (url, mime_type, size_in_bytes), resolved against the feed URL. */
export function jsonAttachments(value: unknown, feedUrl: string): RawEnclosure[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: RawEnclosure[] = [];
  for (const a of value) {
    if (typeof a !== 'object' || a === null) continue;
    const { url, mime_type: type, size_in_bytes: size } = a as Record<string, unknown>;
    const abs = typeof url === 'string' ? absoluteUrl(url, feedUrl) : undefined;
    if (!abs) continue;
    out.push({
      url: abs,
      type: typeof type === 'string' ? type : undefined,
      length: typeof size === 'number' || typeof size === 'string' ? size : undefined,
    });
  }
  return out.length ? out : undefined;
}
