// Independent readers and validators on every published feed of the corpus: feedparser without
// bozo, newsboat importing /feeds.opml, the RFC 4287 and RSS 2.0 schemas, the JSON Feed check.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { checkAtomRules } from '../support/atom-rules.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { readWithNewsboat } from '../support/newsboat.js';
import { validateAtom } from '../support/validate-atom.js';
import { validateJsonFeed } from '../support/validate-json-feed.js';
import { validateRss } from '../support/validate-rss.js';
import { EXPECTED_COUNTS, serveCorpus, type Corpus } from '../fixtures/interop/corpus.js';

let corpus: Corpus;
beforeAll(async () => {
  corpus = await serveCorpus();
});
afterAll(async () => {
  await corpus?.close();
});

const slugs = Object.keys(EXPECTED_COUNTS);
const feedPath = (slug: string, format: string) => `/feeds/${encodeURIComponent(slug)}.${format}`;

describe('feedparser', () => {
  // feedparser recognises JSON Feed only from an HTTP content type, not from bytes: XML formats here.
  it.each(slugs)('reads RSS and Atom of %s without bozo and with every item', async (slug) => {
    for (const format of ['rss', 'atom']) {
      const res = await fetch(`${corpus.base}${feedPath(slug, format)}`);
      expect(res.status).toBe(200);
      const parsed = await parseWithFeedparser(new Uint8Array(await res.arrayBuffer()));
      expect(parsed.bozoException, `${slug}.${format}`).toBeNull();
      expect(parsed.entries, `${slug}.${format}`).toHaveLength(EXPECTED_COUNTS[slug]!);
      expect(new Set(parsed.entries.map((e) => e.id)).size).toBe(EXPECTED_COUNTS[slug]);
    }
  });
});

describe('the website of a feed', () => {
  // What a reader opens as the feed's site ("open in browser" on the feed): that category's page.
  it('is the category preview for RSS, Atom and JSON, and the search page for a search feed', async () => {
    for (const format of ['rss', 'atom']) {
      const parsed = await parseWithFeedparser(new Uint8Array(await (await fetch(`${corpus.base}/feeds/tech.${format}`)).arrayBuffer()));
      expect(parsed.feed.link, format).toBe(`${corpus.base}/categories/tech`);
      const search = await parseWithFeedparser(await (await fetch(`${corpus.base}/feeds/search.${format}?q=chips`)).text());
      expect(search.feed.link, format).toBe(`${corpus.base}/search?q=chips`);
    }
    const json = (await (await fetch(`${corpus.base}/feeds/tech.json`)).json()) as { home_page_url: string };
    expect(json.home_page_url).toBe(`${corpus.base}/categories/tech`);
    const page = await fetch(json.home_page_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Tech &amp; &lt;Science&gt;</h1>');
  });
});

describe('schemas', () => {
  it.each(slugs)('%s is valid Atom (schema and RFC 4287 rules), RSS 2.0 and JSON Feed 1.1', async (slug) => {
    const get = async (format: string) => (await fetch(`${corpus.base}${feedPath(slug, format)}`)).text();
    const atom = await get('atom');
    expect(await validateAtom(atom)).toEqual([]);
    expect(checkAtomRules(atom)).toEqual([]);
    expect(await validateRss(await get('rss'))).toEqual([]);
    expect(validateJsonFeed(await get('json'))).toEqual([]);
  });

  it('keeps every `]]>` of the bodies as text', async () => {
    const parsed = await parseWithFeedparser(await (await fetch(`${corpus.base}/feeds/tech.rss`)).text());
    // RSS titles are escaped as HTML (issue 15 finding 7).
    const body = parsed.entries.find((e) => e.title?.startsWith('Chips ]]&gt; markers 3'))!;
    expect(body.content).toContain('Body with ]]> and again ]]>');
  });
});

describe('newsboat', () => {
  it('imports /feeds.opml and reads every category with the right item counts', async () => {
    const opml = await (await fetch(`${corpus.base}/feeds.opml`)).text();
    const result = await readWithNewsboat(opml);
    const expected = new Map(
      [...slugs.filter((s) => s !== 'all'), 'empty'].map((slug) => [`${corpus.base}${feedPath(slug, 'rss')}`, EXPECTED_COUNTS[slug] ?? 0]),
    );
    expect(new Set(result.imported)).toEqual(new Set(expected.keys()));
    expect(result.itemsByFeed).toEqual(expected);
    expect(result.errors).toEqual([]);
  }, 120_000);
});
