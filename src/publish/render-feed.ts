// Pure renderers: one category's stories as RSS 2.0, Atom 1.0 or JSON Feed 1.1, built with `feed`
// and corrected where its output falls short (see xml-safe.ts for the escaping gaps).
import { Feed, type Item } from 'feed';
import type { FeedFormat } from './feed-urls.js';
import { feedOptions, feedUpdated, prepareStories, rssEnclosure, type FeedInput, type PreparedStory } from './build-feed.js';
import { guessImageType } from './media-type.js';
import { cdataSafe, escapeHtml, escapeXml, rssPlainText, xmlAttr } from './xml-safe.js';
import { withAtomHistory, withRssHistory } from './feed-history.js';

/**
 * RSS 2.0: guid = story URN, names as dc:creator (RSS <author> wants an e-mail address). RSS has no
 * type for text: some readers show titles, names and categories verbatim, others as HTML; `rssPlainText`
 * writes them so both show the text as typed and a title reading `<script>` is never run.
 */
export function renderRss(input: FeedInput): string {
  const stories = prepareStories(input.stories, input.site.baseUrl);
  const options = feedOptions(input, feedUpdated(stories, input.updatedFallback));
  // The channel description is HTML to RSS readers: plain text like the titles, or `<Lab>` is dropped as a tag.
  const feed = new Feed({ ...options, title: rssPlainText(options.title), description: rssPlainText(options.description ?? '') });
  for (const s of stories) {
    const item: Item = {
      title: cdataSafe(rssPlainText(s.title)),
      id: s.urn,
      link: s.link,
      date: s.updated,
      published: s.published,
      description: cdataSafe(escapeHtml(s.summary || s.title)),
      // Always non-empty, which also makes `feed` declare the dc namespace.
      content: cdataSafe(s.contentHtml),
      category: s.categories.map((c) => ({ name: rssPlainText(c.name), term: c.name })),
    };
    item.extensions = [];
    // RSS has one enclosure per item: the story's audio or video when it has some (a podcast app plays it), else its image.
    const media = rssEnclosure(s.enclosures);
    if (media) item.enclosure = { url: xmlAttr(media.url), type: media.type, length: media.length ?? 0 };
    if (s.image) {
      if (!media) item.enclosure = { url: xmlAttr(s.image), type: guessImageType(s.image), length: 0 };
      item.extensions.push({ name: 'media:thumbnail', objects: { _attributes: { url: xmlAttr(s.image) } } });
    }
    if (s.author) item.extensions.push({ name: 'dc:creator', objects: { _text: rssPlainText(s.author) } });
    feed.addItem(item);
  }
  return withRssHistory(withMediaNamespace(feed.rss2()), input.extras?.history);
}

/** `feed` does not declare the Media RSS namespace its media:thumbnail extensions use. */
function withMediaNamespace(xml: string): string {
  if (!xml.includes('<media:thumbnail')) return xml;
  return xml.replace(/<rss version="2.0"/, '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"');
}

// `feed` derives an Atom enclosure's type from the URL's last dot (`image/jpg`, `image//path`) and
// writes its href unescaped, and writes one bare link per entry: placeholders mark those spots and
// are replaced after rendering (the entry's links: alternate, and the story page as related).
const ENCLOSURE_MARK = 'https://enclosure.invalid/';
const ENCLOSURE_LINK = /<link rel="enclosure" href="https:\/\/enclosure\.invalid\/(\d+)"[^>]*\/>/g;
const LINK_MARK = 'https://link.invalid/';
const ENTRY_LINK = /<link href="https:\/\/link\.invalid\/(\d+)"\/>/g;

/** Atom 1.0: id = story URN, feed-level author from config, image and each media file as link rel=enclosure. */
export function renderAtom(input: FeedInput): string {
  const stories = prepareStories(input.stories, input.site.baseUrl);
  const feed = new Feed(feedOptions(input, feedUpdated(stories, input.updatedFallback)));
  stories.forEach((s, index) => {
    const item: Item = {
      title: cdataSafe(escapeHtml(s.title)),
      id: s.urn,
      link: `${LINK_MARK}${index}`,
      date: s.updated,
      published: s.published,
      content: cdataSafe(s.contentHtml),
      category: s.categories.map((c) => ({ name: xmlAttr(c.name), term: xmlAttr(c.name) })),
    };
    if (s.summary) item.description = cdataSafe(escapeHtml(s.summary));
    if (s.author) item.author = [{ name: s.author }];
    if (s.image || s.enclosures.length) item.image = `${ENCLOSURE_MARK}${index}`;
    feed.addItem(item);
  });
  const xml = feed
    .atom1()
    .replace(ENTRY_LINK, (_match, index: string) => atomLinks(stories[Number(index)]!))
    .replace(ENCLOSURE_LINK, (_match, index: string) => atomEnclosure(stories[Number(index)]!));
  return withAtomHistory(xml, input.extras?.history);
}

/** The origin (else the story page) as alternate; the story page as related when the origin is the alternate. */
function atomLinks(story: PreparedStory): string {
  const alternate = `<link rel="alternate" type="text/html" href="${escapeXml(story.link)}"/>`;
  return story.originLink ? `${alternate}<link rel="related" type="text/html" href="${escapeXml(story.pageUrl)}"/>` : alternate;
}

function atomEnclosure(story: PreparedStory): string {
  const image = story.image ? `<link rel="enclosure" href="${escapeXml(story.image)}" type="${guessImageType(story.image)}" length="0"/>` : '';
  const media = story.enclosures.map((e) =>
    `<link rel="enclosure" href="${escapeXml(e.url)}" type="${escapeXml(e.type)}"${e.length === null ? '' : ` length="${e.length}"`}/>`);
  return image + media.join('');
}

/** JSON Feed 1.1: `feed` writes version 1 with a single `author`; add `authors` and the 1.1 version. */
export function renderJson(input: FeedInput): string {
  const stories = prepareStories(input.stories, input.site.baseUrl);
  const feed = new Feed(feedOptions(input, feedUpdated(stories, input.updatedFallback)));
  for (const s of stories) {
    const item: Item = {
      title: s.title,
      id: s.urn,
      // JSON Feed: `url` is the item's page (ours), `external_url` the page it is about (the origin).
      link: s.pageUrl,
      date: s.updated,
      published: s.published,
      content: s.contentHtml,
      category: s.categories.map((c) => ({ name: c.name, term: c.name })),
    };
    if (s.summary) item.description = s.summary;
    if (s.author) item.author = [{ name: s.author }];
    if (s.image) item.image = s.image;
    feed.addItem(item);
  }
  const doc = JSON.parse(feed.json1()) as JsonFeedDoc;
  doc.items.forEach((item, index) => {
    const origin = stories[index]?.originLink;
    if (origin) item.external_url = origin;
    const enclosures = stories[index]?.enclosures ?? [];
    if (enclosures.length) {
      item.attachments = enclosures.map((e) => ({ url: e.url, mime_type: e.type, ...(e.length === null ? {} : { size_in_bytes: e.length }) }));
    }
  });
  doc.version = 'https://jsonfeed.org/version/1.1';
  if (doc.author) doc.authors = [doc.author];
  if (input.extras?.hub) doc.hubs = [{ type: 'WebSub', url: input.extras.hub }];
  for (const item of doc.items) {
    if (item.author) item.authors = [item.author];
    if (item.tags && item.tags.length === 0) delete item.tags;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

interface JsonAuthor {
  name?: string;
}
interface JsonFeedDoc {
  version: string;
  author?: JsonAuthor;
  authors?: JsonAuthor[];
  hubs?: Array<{ type: string; url: string }>;
  items: Array<{
    author?: JsonAuthor; authors?: JsonAuthor[]; tags?: string[]; external_url?: string;
    attachments?: Array<{ url: string; mime_type: string; size_in_bytes?: number }>;
  }>;
}

const RENDERERS: Record<FeedFormat, (input: FeedInput) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJson,
};

export function renderFeed(format: FeedFormat, input: FeedInput): string {
  return RENDERERS[format](input);
}
