// Shared preparation for the three feed formats: clean strings, order stories, channel options.
import type { FeedOptions } from 'feed';
import type { CategoryRef, Enclosure, Story } from '../types.js';
import { escapeHtml, stripXmlInvalid } from './xml-safe.js';
import { feedUrl, feedUrn, previewUrl, storyUrl, storyUrn } from './feed-urls.js';

export interface FeedSite {
  /** Public URL of the service (config `server.baseUrl`). */
  baseUrl: string;
  /** Config `feeds.title`; also the feed-level author, so every Atom entry has one. */
  title: string;
}

export interface FeedInput {
  site: FeedSite;
  /** The category published; slug `all` for every story. */
  category: CategoryRef;
  stories: Story[];
  /** The feed's updated time when there are no stories (the cache passes lastChanged or now). */
  updatedFallback: Date;
  extras?: FeedExtras | undefined;
}

/** What a feed carries beyond its stories: polling hints, WebSub, history links (RFC 5005). */
export interface FeedExtras {
  /** RSS <ttl>: minutes between our polls of the category's sources. */
  ttlMinutes?: number | undefined;
  /** WebSub hub URL (rel="hub"). */
  hub?: string | undefined;
  /** Self links when the document is not the category's subscription feed (archives, search). */
  self?: Partial<Record<'rss' | 'atom' | 'json', string>> | undefined;
  /** Title override (search results). */
  title?: string | undefined;
  /** The HTML page the feed is the feed of, when it is not the category's preview (the search page). */
  page?: string | undefined;
  history?: HistoryLinks | undefined;
}

export interface HistoryLinks {
  /** True for an archive document (fh:archive). */
  archive: boolean;
  /** Per format: the links; absent ones are not written. */
  current?: string | undefined;
  prevArchive?: string | undefined;
  nextArchive?: string | undefined;
}

/** A story with every string safe for XML and every URL absolute (or dropped). */
export interface PreparedStory {
  urn: string;
  title: string;
  /** What a reader opens: the origin link when there is one, else the story page. Never empty. */
  link: string;
  /** The origin's link, null when the story has none (seed articles). */
  originLink: string | null;
  /** The story's page on this service (`/stories/{id}`). */
  pageUrl: string;
  published: Date;
  updated: Date;
  author: string | null;
  categories: CategoryRef[];
  image: string | null;
  /** Never empty: Atom needs content when an entry has no link. */
  contentHtml: string;
  summary: string;
  /** Media enclosures, http(s) only, each with a type (application/octet-stream when the source gave none). */
  enclosures: PreparedEnclosure[];
}

export interface PreparedEnclosure {
  url: string;
  type: string;
  length: number | null;
}

/** The enclosures a feed may carry: absolute http(s) URLs only, each once; an unknown type written as octet-stream. */
export function prepareEnclosures(list: readonly Enclosure[] | undefined): PreparedEnclosure[] {
  const out: PreparedEnclosure[] = [];
  for (const e of list ?? []) {
    const url = absoluteUrl(e.url);
    if (!url || out.some((kept) => kept.url === url)) continue;
    const type = e.type && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(e.type) ? e.type : 'application/octet-stream';
    out.push({ url, type, length: Number.isSafeInteger(e.length) && e.length! > 0 ? e.length : null });
  }
  return out;
}

/** The enclosure an RSS item carries (RSS allows one): the first audio or video file, else the first of any type. */
export function rssEnclosure(list: readonly PreparedEnclosure[]): PreparedEnclosure | undefined {
  return list.find((e) => e.type.startsWith('audio/') || e.type.startsWith('video/')) ?? list[0];
}

export function absoluteUrl(value: string | null): string | null {
  if (!value) return null;
  const clean = stripXmlInvalid(value).trim();
  if (!URL.canParse(clean)) return null;
  const url = new URL(clean);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function oneLine(text: string): string {
  return stripXmlInvalid(text).replace(/\s+/g, ' ').trim();
}

export function prepareStory(story: Story, baseUrl: string): PreparedStory {
  const title = oneLine(story.title) || '(untitled)';
  const summary = stripXmlInvalid(story.summary).trim();
  const html = stripXmlInvalid(story.contentHtml).trim();
  const seen = new Set<string>();
  const categories: CategoryRef[] = [];
  for (const c of story.categories) {
    const name = oneLine(c.name);
    if (!name || seen.has(c.slug)) continue;
    seen.add(c.slug);
    categories.push({ slug: c.slug, name });
  }
  const originLink = absoluteUrl(story.link) ?? story.links.map(absoluteUrl).find((l) => l !== null) ?? null;
  const pageUrl = storyUrl(baseUrl, story.id);
  return {
    // The guid a reader first saw: a story renamed by an earlier copy keeps its oldest id (store/feed-ids.ts).
    urn: storyUrn(story.feedId ?? story.id),
    title,
    link: originLink ?? pageUrl,
    originLink,
    pageUrl,
    published: story.published,
    updated: story.updated > story.published ? story.updated : story.published,
    author: story.author ? oneLine(story.author) || null : null,
    categories,
    image: absoluteUrl(story.image),
    contentHtml: html || `<p>${escapeHtml(summary || title)}</p>`,
    summary,
    enclosures: prepareEnclosures(story.enclosures),
  };
}

/** Newest first by publication time; the id breaks ties so the order is stable. */
export function prepareStories(stories: Story[], baseUrl: string): PreparedStory[] {
  return [...stories]
    .sort((a, b) => b.published.getTime() - a.published.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((story) => prepareStory(story, baseUrl));
}

/** Newest change among the stories, else the fallback. */
export function feedUpdated(stories: PreparedStory[], fallback: Date): Date {
  let newest: Date | null = null;
  for (const s of stories) if (!newest || s.updated > newest) newest = s.updated;
  return newest ?? fallback;
}

export function feedTitle(input: FeedInput): string {
  if (input.extras?.title) return oneLine(input.extras.title);
  const site = oneLine(input.site.title) || 'Feed aggregator';
  return input.category.slug === 'all' ? site : `${oneLine(input.category.name)} — ${site}`;
}

export function feedOptions(input: FeedInput, updated: Date): FeedOptions {
  const { baseUrl } = input.site;
  const slug = input.category.slug;
  const name = oneLine(input.category.name);
  return {
    id: feedUrn(slug),
    title: feedTitle(input),
    description: slug === 'all' ? 'Every article' : `Articles in ${name}`,
    // What a reader opens as the feed's website: the category's own page, not the index of every category.
    link: input.extras?.page ?? previewUrl(baseUrl, slug),
    updated,
    generator: 'feed-aggregator',
    feedLinks: input.extras?.self ?? {
      rss: feedUrl(baseUrl, slug, 'rss'),
      atom: feedUrl(baseUrl, slug, 'atom'),
      json: feedUrl(baseUrl, slug, 'json'),
    },
    author: { name: oneLine(input.site.title) || 'Feed aggregator' },
    ...(input.extras?.ttlMinutes ? { ttl: Math.max(1, Math.round(input.extras.ttlMinutes)) } : {}),
    ...(input.extras?.hub ? { hub: input.extras.hub } : {}),
  };
}
