// The page of one story (`/stories/{id}`): what a reader opens from an item without an origin link, and
// the record of what it was merged from. Sanitized body, escaped text, no script; readable on a phone;
// OpenGraph and Twitter meta for sharing, and the feeds of its categories for autodiscovery.
import type { StoryOrigin } from '../store/store.js';
import type { Story } from '../types.js';
import { prepareStory, type FeedSite, type PreparedEnclosure } from './build-feed.js';
import { indexUrl, previewUrl } from './feed-urls.js';
import { PAGE_CSS, feedAlternates, feedLinks, htmlPage, pageTime } from './html-page.js';
import { escapeHtml } from './xml-safe.js';

export interface StoryPageInput {
  site: FeedSite;
  story: Story;
  /** The merge record, earliest first (Store.listStoryOrigins). */
  origins: StoryOrigin[];
}

const DESCRIPTION_CHARS = 200;

const STORY_CSS = `${PAGE_CSS}
.lead{margin:0 0 1rem}.cats{list-style:none;padding:0;margin:.3rem 0 1rem;display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.9rem}
.cats small{color:#666}.origins{border-top:1px solid #ddd;margin-top:2rem;padding-top:.5rem;font-size:.9rem}
.origins li{margin:.3rem 0}.media li{margin:.5rem 0}.media audio,.media video{display:block;width:100%;margin:.3rem 0 0}`;

/** `source:Name` → `Name`; the seed folder by its role. */
function sourceName(sourceKey: string): string {
  if (sourceKey === 'seed') return 'Seed folder';
  return sourceKey.startsWith('source:') ? sourceKey.slice('source:'.length) : sourceKey;
}

function meta(property: string, content: string, attribute: 'property' | 'name' = 'property'): string {
  return `<meta ${attribute}="${property}" content="${escapeHtml(content)}">`;
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function originItem(origin: StoryOrigin): string {
  const name = escapeHtml(sourceName(origin.sourceKey));
  const label = origin.link ? `<a href="${escapeHtml(origin.link)}" rel="noopener noreferrer">${name}</a>` : name;
  const title = origin.title ? ` — “${escapeHtml(origin.title)}”` : '';
  return `<li>${label}, ${pageTime(origin.published)}${title}</li>`;
}

export function renderStoryPage(input: StoryPageInput): string {
  const { site, origins } = input;
  const s = prepareStory(input.story, site.baseUrl);
  const description = cut(s.summary || s.title, DESCRIPTION_CHARS);
  const alternates = s.categories.flatMap((c) => feedAlternates(site, c.slug, c.name));
  const sharing = [
    meta('og:type', 'article'),
    meta('og:title', s.title),
    meta('og:description', description),
    meta('og:url', s.pageUrl),
    meta('og:site_name', site.title),
    meta('article:published_time', s.published.toISOString()),
    meta('article:modified_time', s.updated.toISOString()),
    ...s.categories.map((c) => meta('article:section', c.name)),
    ...(s.image ? [meta('og:image', s.image)] : []),
    meta('twitter:card', s.image ? 'summary_large_image' : 'summary', 'name'),
    meta('twitter:title', s.title, 'name'),
    meta('twitter:description', description, 'name'),
    ...(s.image ? [meta('twitter:image', s.image, 'name')] : []),
  ];
  const categories = s.categories.map((c) => {
    return `<li><a href="${escapeHtml(previewUrl(site.baseUrl, c.slug))}">${escapeHtml(c.name)}</a> <small>(${feedLinks(site, c.slug)})</small></li>`;
  });
  const image = s.image && !s.contentHtml.includes(`src="${escapeHtml(s.image)}"`)
    ? `<p class="lead"><img src="${escapeHtml(s.image)}" alt=""></p>\n` : '';
  const media = s.enclosures.length ? `<ul class="media">${s.enclosures.map(mediaItem).join('')}</ul>\n` : '';
  const by = s.author ? ` · ${escapeHtml(s.author)}` : '';
  const original = s.originLink ? `<p><a href="${escapeHtml(s.originLink)}" rel="noopener noreferrer">Read the original</a></p>\n` : '';
  const count = origins.length;
  const record = count === 0 ? '' : `<section class="origins">
<h2>${count === 1 ? 'From 1 source' : `Merged from ${count} sources`}</h2>
<ul>${origins.map(originItem).join('\n')}</ul>
</section>`;
  return htmlPage({
    lang: 'und',
    title: `${s.title} — ${site.title}`,
    head: [
      `<meta name="description" content="${escapeHtml(description)}">`,
      `<link rel="canonical" href="${escapeHtml(s.pageUrl)}">`,
      ...sharing,
      ...alternates,
    ],
    css: STORY_CSS,
    body: `<nav><a href="${escapeHtml(indexUrl(site.baseUrl))}">← ${escapeHtml(site.title)}</a></nav>
<article>
<h1>${escapeHtml(s.title)}</h1>
<p class="meta">${pageTime(s.published)}${by}</p>
${categories.length ? `<ul class="cats">${categories.join('')}</ul>\n` : ''}${image}<div class="body">${s.contentHtml}</div>
${media}${original}</article>
${record}`,
  });
}

/**
 * A media file as a link (it downloads, or plays where the page's player cannot): what it is, its file name,
 * its type and size; audio and video also get a player that loads nothing until a reader presses play (a page of
 * 20 episodes would otherwise fetch 20 files) and never starts by itself. The page's policy allows media from
 * http(s) only, which is all `prepareEnclosures` keeps.
 */
function mediaItem(e: PreparedEnclosure): string {
  const kind = e.type.startsWith('audio/') ? 'audio' : e.type.startsWith('video/') ? 'video' : undefined;
  const verb = kind === 'audio' ? 'Listen' : kind === 'video' ? 'Watch' : 'Download';
  const url = new URL(e.url);
  const last = url.pathname.split('/').pop() ?? '';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A stray `%` in the path: the name as written.
  }
  name ||= url.host;
  const size = e.length === null ? '' : `, ${(e.length / 1_000_000).toFixed(1)} MB`;
  const player = kind ? `<${kind} controls preload="none" src="${escapeHtml(e.url)}"></${kind}>` : '';
  return `<li>${verb}: <a href="${escapeHtml(e.url)}" rel="noopener noreferrer">${escapeHtml(name)}</a> <small>(${escapeHtml(e.type)}${size})</small>${player}</li>`;
}

/** 410 Gone: the story was pruned by retention; the index is where to go on. */
export function renderGoneStoryPage(site: FeedSite, prunedAt: Date): string {
  return htmlPage({
    lang: 'en',
    title: `Story removed — ${site.title}`,
    head: ['<meta name="robots" content="noindex">'],
    css: PAGE_CSS,
    body: `<h1>This story is no longer here</h1>
<p>It was removed by the retention policy on ${pageTime(prunedAt)}.</p>
<p><a href="${escapeHtml(indexUrl(site.baseUrl))}">Go to the index of ${escapeHtml(site.title)}</a></p>`,
  });
}
