// GET /search?q=: results as HTML (title linked to the story page, date, categories, a snippet with
// the matched words marked), "subscribe to this search" links and their autodiscovery. No script.
import type { FeedSite } from './build-feed.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, indexUrl, previewUrl, searchPageUrl, searchUrl, storyUrl, type FeedFormat } from './feed-urls.js';
import { PAGE_CSS } from './html-page.js';
import type { SearchHit } from './search-hits.js';
import { escapeHtml } from './xml-safe.js';

export interface SearchPageInput {
  site: FeedSite;
  /** The query as typed; '' for the empty search page. */
  query: string;
  hits: SearchHit[];
  total: number;
  /** Why the query cannot be run (a 400): shown above the form holding the query, to edit it. */
  error?: string;
}

const LABEL: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };
const CSS = `${PAGE_CSS}
form.search{display:flex;gap:.5rem;margin:1rem 0}form.search input[type=search]{flex:1;font:inherit}
mark{background:#fff3a0;padding:0 .1em}.snippet{margin:.2rem 0}.count{color:#555}.error{color:#a40e26}`;
const HELP = '<p>Words must all match; <code>"a phrase"</code>, <code>prefix*</code>, <code>-word</code> to exclude, <code>category:slug</code> to restrict.</p>';

function time(date: Date): string {
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

function result(site: FeedSite, { story, snippet }: SearchHit): string {
  const categories = story.categories
    .map((c) => `<a href="${escapeHtml(previewUrl(site.baseUrl, c.slug))}">${escapeHtml(c.name)}</a>`)
    .join(', ');
  return `<article>
<h2><a href="${escapeHtml(storyUrl(site.baseUrl, story.id))}">${escapeHtml(story.title)}</a></h2>
<p class="meta">${time(story.published)}${categories ? ` · ${categories}` : ''}</p>
<p class="snippet">${snippet}</p>
</article>`;
}

export function renderSearchPage(input: SearchPageInput): string {
  const { site, query } = input;
  const title = query ? `Search “${query}”` : 'Search';
  const alternates = query && !input.error
    ? FEED_FORMATS.map((f) => `<link rel="alternate" type="${FEED_CONTENT_TYPES[f].split(';')[0]}" title="${escapeHtml(`${title} (${LABEL[f]})`)}" href="${escapeHtml(searchUrl(site.baseUrl, query, f))}">`)
    : [];
  const subscribe = FEED_FORMATS.map((f) => `<a href="${escapeHtml(searchUrl(site.baseUrl, query, f))}" type="${FEED_CONTENT_TYPES[f].split(';')[0]}">${LABEL[f]}</a>`).join(' · ');
  const count = input.total === 1 ? '1 match' : `${input.total} matches`;
  const body = input.error
    ? `<p class="error">${escapeHtml(input.error)}</p>\n${HELP}`
    : !query
    ? HELP
    : `<p class="count">${count}${input.hits.length < input.total ? `, the best ${input.hits.length} shown` : ''} · subscribe to this search: ${subscribe}</p>
${input.hits.length ? input.hits.map((hit) => result(site, hit)).join('\n') : '<p>No stories match.</p>'}`;
  return `<!doctype html>
<html lang="und">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — ${escapeHtml(site.title)}</title>
${alternates.join('\n')}
<style>${CSS}</style>
</head>
<body>
<nav><a href="${escapeHtml(indexUrl(site.baseUrl))}">← ${escapeHtml(site.title)}</a></nav>
<h1>${escapeHtml(title)}</h1>
<form class="search" method="get" action="${escapeHtml(searchPageUrl(site.baseUrl, ''))}" role="search"><input type="search" name="q" value="${escapeHtml(query)}" required aria-label="Search" placeholder="Search titles and bodies (any language)"><button type="submit">Search</button></form>
${body}
</body>
</html>
`;
}
