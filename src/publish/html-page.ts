// What the HTML pages for readers share (category previews, story pages): the document frame, the
// stylesheet, times and feed links. Every value passed in as text is escaped here; `head` and `body`
// are markup built by the callers.
import type { FeedSite } from './build-feed.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, feedUrl, indexUrl, type FeedFormat } from './feed-urls.js';
import { escapeHtml } from './xml-safe.js';

export const FORMAT_LABEL: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

// A body's own headings (a Markdown `# Title` line, a crawled <h1>) stay below the story's title in size.
export const PAGE_CSS = `body{font:17px/1.6 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:1rem;color:#222;overflow-wrap:anywhere}
h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.2rem;line-height:1.35;margin:0 0 .3rem}
.body h1,.body h2{font-size:1.1rem;margin:1rem 0 .4rem}.body h3,.body h4,.body h5,.body h6{font-size:1rem}
article{border-top:1px solid #ddd;padding:1.2rem 0}.meta{color:#666;font-size:.9rem;margin:0 0 .8rem}
img,video{max-width:100%;height:auto}pre{overflow-x:auto}table{display:block;overflow-x:auto}
a{color:#0550ae}a:not([href]){color:inherit}nav{font-size:.95rem}input.copy{width:100%;box-sizing:border-box;font:inherit;font-size:.85rem}`;

/** A UTC time, machine-readable in `datetime`. */
export function pageTime(date: Date): string {
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** `<link rel="alternate">` to a category's three feeds, for autodiscovery. */
export function feedAlternates(site: FeedSite, slug: string, name: string): string[] {
  return FEED_FORMATS.map(
    (f) => `<link rel="alternate" type="${FEED_CONTENT_TYPES[f].split(';')[0]}" title="${escapeHtml(`${name} (${FORMAT_LABEL[f]})`)}" href="${escapeHtml(feedUrl(site.baseUrl, slug, f))}">`,
  );
}

/** Links to a category's three feeds, separated by dots. */
export function feedLinks(site: FeedSite, slug: string): string {
  return FEED_FORMATS.map((f) => `<a href="${escapeHtml(feedUrl(site.baseUrl, slug, f))}">${FORMAT_LABEL[f]}</a>`).join(' · ');
}

export interface HtmlPage {
  lang: string;
  /** Plain text. */
  title: string;
  /** Extra markup for <head>: meta, links. */
  head: string[];
  css: string;
  body: string;
}

export function htmlPage(page: HtmlPage): string {
  return `<!doctype html>
<html lang="${escapeHtml(page.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
${page.head.join('\n')}
<style>${page.css}</style>
</head>
<body>
${page.body}
</body>
</html>
`;
}

/**
 * 404 for a person who followed a stale or mistyped link to a story or category page: an HTML page that
 * says what is missing (never echoing what was asked for) and leads to the index.
 */
export function renderNotFoundPage(site: FeedSite, heading: string): string {
  return htmlPage({
    lang: 'en',
    title: `${heading} — ${site.title}`,
    head: ['<meta name="robots" content="noindex">'],
    css: PAGE_CSS,
    body: `<h1>${escapeHtml(heading)}</h1>
<p><a href="${escapeHtml(indexUrl(site.baseUrl))}">Go to the index of ${escapeHtml(site.title)}</a>: every category, and a search form.</p>`,
  });
}
