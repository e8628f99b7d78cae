// HTML preview of a category: its stories as a feed reader would show them. The bodies are the
// sanitized HTML we publish; titles, names and URLs are escaped. No script; readable on a phone.
import type { CategorySummary, Story } from '../types.js';
import { absoluteUrl, prepareStories, type FeedSite } from './build-feed.js';
import { indexUrl } from './feed-urls.js';
import { PAGE_CSS, feedAlternates, feedLinks, htmlPage, pageTime } from './html-page.js';
import { escapeHtml } from './xml-safe.js';

export interface PreviewPageInput {
  site: FeedSite;
  category: CategorySummary;
  stories: Story[];
}

export function renderPreviewPage(input: PreviewPageInput): string {
  const { site, category } = input;
  const slug = category.slug;
  const name = slug === 'all' ? 'All articles' : category.name;
  const stories = prepareStories(input.stories, site.baseUrl);
  const subscribe = feedLinks(site, slug);
  const articles = stories.map((s) => {
    const title = `<a href="${escapeHtml(s.pageUrl)}">${escapeHtml(s.title)}</a>`;
    const by = (s.author ? ` · ${escapeHtml(s.author)}` : '') + (s.originLink ? ` · <a href="${escapeHtml(s.originLink)}">original</a>` : '');
    const image = s.image && !s.contentHtml.includes('<img') ? `<p><img src="${escapeHtml(absoluteUrl(s.image) ?? '')}" alt="" loading="lazy"></p>\n` : '';
    const tags = s.categories.length ? ` · ${s.categories.map((c) => escapeHtml(c.name)).join(', ')}` : '';
    return `<article>
<h2>${title}</h2>
<p class="meta">${pageTime(s.published)}${by}${tags}</p>
${image}<div class="body">${s.contentHtml}</div>
</article>`;
  });
  return htmlPage({
    lang: 'und',
    title: `${name} — ${site.title}`,
    head: feedAlternates(site, slug, name),
    css: PAGE_CSS,
    body: `<nav><a href="${escapeHtml(indexUrl(site.baseUrl))}">← ${escapeHtml(site.title)}</a></nav>
<h1>${escapeHtml(name)}</h1>
<p>${category.count} article${category.count === 1 ? '' : 's'} · subscribe: ${subscribe}</p>
${articles.length ? articles.join('\n') : '<p>No articles yet.</p>'}`,
  });
}
