// Titles as written (RFC 4287 text constructs, Atom 0.3 base64, markup in RSS titles) and item links
// without tracking parameters, from the parse fixtures through normalization.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeItem } from '../../../src/ingest/normalize.js';
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js';
import type { Article } from '../../../src/types.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url), 'utf8');

async function articles(name: string, urls?: { trackingParameters?: string[] }): Promise<Article[]> {
  const doc = await parseFeed(fixture(name), `https://feeds.example/${name}`);
  return doc.items.map((item) => {
    const { article } = normalizeItem(item, {
      sourceKey: 'source:test', documentUrl: `https://feeds.example/${name}`, fallbackDate: new Date('2024-05-01T00:00:00Z'),
      timezone: 'UTC', categories: [], urls,
    });
    if (!article) throw new Error(`${name}: an item was dropped`);
    return article;
  });
}

describe('faithful titles', () => {
  it('reads Atom titles by their type: html unescaped once, text literal, xhtml with all its text in order', async () => {
    const titles = (await articles('atom-titles.xml')).map((a) => a.title);
    expect(titles.slice(0, 4)).toEqual([
      'History of the <blink> tag', // escaped markup in html stays literal text
      'Emphasis & markup', // real markup in html is reduced to its text
      'Why a <div> is not a <span>', // type="text": markup is literal
      'The bold and the italic ones', // xhtml: the children's text, in document order
    ]);
  });

  it('keeps an item with a link but neither title nor text, titled from its link’s host and path', async () => {
    const untitled = (await articles('atom-titles.xml'))[4]!;
    expect(untitled.title).toBe('titles.example/reports/2024/q1-results');
    expect(untitled.link).toBe('https://titles.example/reports/2024/q1-results/?ref=home');
  });

  it('decodes Atom 0.3 mode="base64" titles and content, and titles of a binary MIME type (RFC 4287 §3.1.1.3)', async () => {
    const [old, binary] = await articles('atom03-base64.xml');
    expect(old!.title).toBe('Base64 title <not a tag>');
    expect(binary!.title).toBe('Octet stream title');
    expect(old!.contentHtml).toBe('<p>A <b>decoded</b> body.</p>');
  });

  it('keeps the text of markup left unescaped in an RSS title', async () => {
    const last = (await articles('rss-tracking-links.xml')).at(-1)!;
    expect(last.title).toBe('Markup left unescaped in a title');
  });
});

describe('clean item links', () => {
  it('strips tracking parameters from item links and permalink guids’ links, never from guid values', async () => {
    const [campaign, permalink, video, shop, other] = await articles('rss-tracking-links.xml');
    expect(campaign!.link).toBe('https://news.example/story?id=7');
    expect(campaign!.guid).toBe('news-7');
    expect(permalink!.link).toBe('https://news.example/story/8?page=2');
    // The guid is an identity: readers must not see the item as new.
    expect(permalink!.guid).toBe('https://news.example/story/8?fbclid=abc&page=2&gclid=x&msclkid=y');
    expect(permalink!.originId).toBe(permalink!.guid);
    expect(video!.link).toBe('https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    expect(shop!.link).toBe('https://item.taobao.com/item.htm?id=42');
    // `si` and `spm` only track on their own sites; the rest of Miniflux's list goes everywhere.
    expect(other!.link).toBe('https://docs.example/page?spm=keep&si=keep&partner=alpha');
    expect(other!.contentHtml).toContain('href="https://news.example/more?q=1"');
  });

  it('strips the parameters the config adds, names and prefixes', async () => {
    const [, , , , other] = await articles('rss-tracking-links.xml', { trackingParameters: ['partner', 'sp*'] });
    expect(other!.link).toBe('https://docs.example/page?si=keep');
  });
});
