// OPML 2.0 listing every category's RSS feed, to import all of them into a reader in one step.
import type { CategorySummary } from '../types.js';
import { categoryAnchor, feedUrl, indexUrl } from './feed-urls.js';
import { escapeXml } from './xml-safe.js';
import type { FeedSite } from './build-feed.js';

/**
 * `all` is left out on purpose: subscribing to it next to the categories would show every article
 * twice. Categories are listed by name; dateModified is the newest category change.
 */
export function renderOpml(site: FeedSite, categories: CategorySummary[]): string {
  const listed = categories.filter((c) => c.slug !== 'all');
  const sorted = [...listed].sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug));
  const newest = listed.reduce<Date | null>(
    (acc, c) => (c.lastChanged && (!acc || c.lastChanged > acc) ? c.lastChanged : acc),
    null,
  );
  const outlines = sorted.map((c) => {
    const attrs = [
      ['type', 'rss'],
      ['text', c.name],
      ['title', c.name],
      ['xmlUrl', feedUrl(site.baseUrl, c.slug, 'rss')],
      ['htmlUrl', `${indexUrl(site.baseUrl)}#${categoryAnchor(c.slug)}`],
    ];
    return `    <outline ${attrs.map(([k, v]) => `${k}="${escapeXml(v!)}"`).join(' ')}/>`;
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXml(site.title)}</title>`,
    ...(newest ? [`    <dateModified>${newest.toUTCString()}</dateModified>`] : []),
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
