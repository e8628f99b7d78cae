// HTML preview of a category: its stories as a feed reader would show them. The bodies are the
// sanitized HTML we publish; titles, names and URLs are escaped. No script; readable on a phone.
import type { CategorySummary, Story } from '../types.js';
import { absoluteUrl, prepareStories, type FeedSite } from './build-feed.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, feedUrl, indexUrl, type FeedFormat } from './feed-urls.js';
import { escapeHtml } from './xml-safe.js';

export interface PreviewPageInput {
  site: FeedSite;
  category: CategorySummary;
  stories: Story[];
}

const LABEL: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

export const PAGE_CSS = `body{font:17px/1.6 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:1rem;color:#222;overflow-wrap:anywhere}
h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.2rem;line-height:1.35;margin:0 0 .3rem}
article{border-top:1px solid #ddd;padding:1.2rem 0}.meta{color:#666;font-size:.9rem;margin:0 0 .8rem}
img,video{max-width:100%;height:auto}pre{overflow-x:auto}table{display:block;overflow-x:auto}
a{color:#0550ae}nav{font-size:.95rem}input.copy{width:100%;box-sizing:border-box;font:inherit;font-size:.85rem}`;

function time(date: Date): string {
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

export function renderPreviewPage(input: PreviewPageInput): string {
  const { site, category } = input;
  const slug = category.slug;
  const name = slug === 'all' ? 'All articles' : category.name;
  const stories = prepareStories(input.stories);
  const alternates = FEED_FORMATS.map(
    (f) => `<link rel="alternate" type="${FEED_CONTENT_TYPES[f].split(';')[0]}" title="${escapeHtml(`${name} (${LABEL[f]})`)}" href="${escapeHtml(feedUrl(site.baseUrl, slug, f))}">`,
  );
  const subscribe = FEED_FORMATS.map((f) => `<a href="${escapeHtml(feedUrl(site.baseUrl, slug, f))}">${LABEL[f]}</a>`).join(' · ');
  const articles = stories.map((s) => {
    const title = s.link ? `<a href="${escapeHtml(s.link)}">${escapeHtml(s.title)}</a>` : escapeHtml(s.title);
    const by = s.author ? ` · ${escapeHtml(s.author)}` : '';
    const image = s.image && !s.contentHtml.includes('<img') ? `<p><img src="${escapeHtml(absoluteUrl(s.image) ?? '')}" alt="" loading="lazy"></p>\n` : '';
    const tags = s.categories.length ? ` · ${s.categories.map((c) => escapeHtml(c.name)).join(', ')}` : '';
    return `<article>
<h2>${title}</h2>
<p class="meta">${time(s.published)}${by}${tags}</p>
${image}<div class="body">${s.contentHtml}</div>
</article>`;
  });
  return `<!doctype html>
<html lang="und">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(name)} — ${escapeHtml(site.title)}</title>
${alternates.join('\n')}
<style>${PAGE_CSS}</style>
</head>
<body>
<nav><a href="${escapeHtml(indexUrl(site.baseUrl))}">← ${escapeHtml(site.title)}</a></nav>
<h1>${escapeHtml(name)}</h1>
<p>${category.count} article${category.count === 1 ? '' : 's'} · subscribe: ${subscribe}</p>
${articles.length ? articles.join('\n') : '<p>No articles yet.</p>'}
</body>
</html>
`;
}
