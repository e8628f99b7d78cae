// Podcast and video enclosures read from the three feed formats, and merged across copies of a story.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeOrigins } from '../../src/ingest/dedup.js';
import { MAX_ENCLOSURES, mediaEnclosures, mergeEnclosures } from '../../src/ingest/enclosures.js';
import { normalizeItem, type NormalizeContext } from '../../src/ingest/normalize.js';
import { parseFeed } from '../../src/ingest/parse/parse-feed.js';
import type { Article, Enclosure } from '../../src/types.js';
import { article, at } from '../fixtures/dedup/articles.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/enclosures/${name}`, import.meta.url), 'utf8');

async function articles(name: string, feedUrl: string): Promise<{ articles: Article[]; warnings: string[] }> {
  const doc = await parseFeed(fixture(name), feedUrl);
  const context: NormalizeContext = { sourceKey: 'source:Radio', documentUrl: feedUrl, fallbackDate: new Date(0), timezone: 'UTC', categories: [] };
  const results = doc.items.map((item) => normalizeItem(item, context));
  return { articles: results.map((r) => r.article!), warnings: results.flatMap((r) => r.warnings) };
}

const mp3: Enclosure = { url: 'https://radio.example/media/episode-12.mp3', type: 'audio/mpeg', length: 48213766 };

describe('enclosures read from feeds', () => {
  it('RSS: each media <enclosure> with absolute url, lower-cased type and byte length; images stay lead images', async () => {
    const { articles: [twelve, eleven], warnings } = await articles('podcast.rss', 'https://radio.example/feed.rss');
    expect(twelve!.enclosures).toEqual([{ ...mp3, url: 'https://radio.example/media/episode-12.mp3?src=rss' }]);
    expect(twelve!.image).toBe('https://radio.example/art/12.jpg');
    // An image enclosure is the lead image, not a media file; a non-numeric length is unknown; javascript: is dropped.
    expect(eleven!.image).toBe('https://radio.example/art/11.png');
    expect(eleven!.enclosures).toEqual([
      { url: 'https://cdn.radio.example/11.mp4', type: 'video/mp4', length: null },
      { url: 'https://cdn.radio.example/11-transcript.pdf', type: 'application/pdf', length: 5120 },
    ]);
    expect(warnings).toContainEqual(expect.stringContaining('enclosure "javascript:alert(1)" dropped: not an http(s) URL'));
  });

  it('Atom: every <link rel="enclosure">, resolved against xml:base', async () => {
    const { articles: [entry] } = await articles('podcast.atom', 'https://radio.example/feed.atom');
    expect(entry!.enclosures).toEqual([mp3, { url: 'https://radio.example/media/episode-12.ogg', type: 'audio/ogg', length: null }]);
    expect(entry!.image).toBe('https://radio.example/art/12.jpg');
  });

  it('JSON Feed: attachments (url, mime_type, size_in_bytes); only http(s) URLs', async () => {
    const { articles: [item] } = await articles('podcast.json', 'https://radio.example/feed.json');
    expect(item!.enclosures).toEqual([
      { url: 'https://radio.example/media/episode-12.mp3', type: 'audio/mpeg', length: 48213766 },
      { url: 'https://radio.example/media/episode-12.m4a', type: 'audio/x-m4a', length: null },
    ]);
  });
});

describe('enclosures kept of an item', () => {
  it('keeps at most MAX_ENCLOSURES, says so, and a merged story no more', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ url: `https://radio.example/e/${i}.mp3`, type: 'audio/mpeg', length: '1' }));
    const dropped: string[] = [];
    const kept = mediaEnclosures(many, dropped);
    expect(kept.map((e) => e.url)).toEqual(many.slice(0, MAX_ENCLOSURES).map((e) => e.url));
    expect(dropped).toEqual([`enclosures after the first ${MAX_ENCLOSURES} dropped`]);
    const other = mediaEnclosures(many.slice(MAX_ENCLOSURES));
    expect(mergeEnclosures([kept, other])).toEqual(kept);
  });
});

describe('enclosures of a merged story', () => {
  const early = { ...article({ sourceKey: 'source:A', title: 'Episode 12', published: at(0) }), enclosures: [{ ...mp3, length: null }] };
  const late = {
    ...article({ sourceKey: 'source:B', title: 'Episode 12', published: at(1) }),
    enclosures: [{ url: 'https://b.example/12.ogg', type: 'audio/ogg', length: 9 }, mp3],
  };

  it('is the union by URL in merge order; a later copy only fills what the first left unknown; any input order', () => {
    const expected = [mp3, { url: 'https://b.example/12.ogg', type: 'audio/ogg', length: 9 }];
    expect(mergeOrigins([early, late]).enclosures).toEqual(expected);
    expect(mergeOrigins([late, early]).enclosures).toEqual(expected);
  });
});
