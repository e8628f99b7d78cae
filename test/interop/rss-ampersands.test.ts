// RSS titles, names and categories with `&` read in newsboat (shows RSS text verbatim) and feedparser
// (reads it as HTML when it looks like HTML): `AT&T & Verizon` must read as written in both, and text that
// looks like a character reference (`&copy 2026`) must not turn into one in a reader decoding HTML.
import { decodeHTML } from 'entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRss } from '../../src/publish/render-feed.js';
import type { Story } from '../../src/types.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { readItemsWithNewsboat } from '../support/newsboat.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';

const VECTORS = [
  { title: 'AT&T & Verizon: Q&A on 5G', author: 'Tom & Jerry', category: 'R&D' },
  { title: 'Notes: &copy 2026, &amp; and &#169; as typed', author: '&not;me & co', category: 'Fish &chips' },
];

const stories: Story[] = VECTORS.map((v, i) => ({
  id: `a${i}`, title: v.title, link: `https://news.example.com/${i}`, links: [`https://news.example.com/${i}`],
  published: new Date(Date.UTC(2025, 0, 10 - i)), updated: new Date(Date.UTC(2025, 0, 10 - i)),
  author: v.author, categories: [{ slug: `c${i}`, name: v.category }], image: null, contentHtml: '<p>Body.</p>', summary: 'Body.',
}));
const xml = renderRss({
  site: { baseUrl: 'https://feeds.example.org', title: 'News & Views' }, category: { slug: 'rd', name: 'R&D' },
  stories, updatedFallback: new Date(Date.UTC(2025, 0, 10)),
});

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ '/amp.rss': serve(xml, 'application/rss+xml; charset=utf-8') });
});
afterAll(() => server.close());

describe('RSS text with ampersands', () => {
  it('reads in newsboat exactly as written where no character reference could be read', async () => {
    const items = await readItemsWithNewsboat(server.url('/amp.rss'));
    expect(items.map((item) => [item.title, item.author])).toContainEqual(['AT&T & Verizon: Q&A on 5G', 'Tom & Jerry']);
  });

  it('reads in feedparser as written, and as written once decoded as HTML', async () => {
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.bozo).toBe(0);
    expect(parsed.feed.title).toBe('R&D — News & Views');
    expect(parsed.entries[0]).toMatchObject({ title: 'AT&T & Verizon: Q&A on 5G', author: 'Tom & Jerry', tags: ['R&D'] });
    // A reader showing RSS titles as HTML shows the characters typed, not © or ¬.
    const second = parsed.entries[1]!;
    expect([second.title, second.author, second.tags[0]].map((v) => decodeHTML(v!))).toEqual(Object.values(VECTORS[1]!));
  });

  it('keeps a category name with markup-like text whole in the channel description, which readers read as HTML', async () => {
    const lab = renderRss({ site: { baseUrl: 'https://feeds.example.org', title: 'News' }, category: { slug: 'lab', name: 'R&D <Lab>' }, stories, updatedFallback: new Date(Date.UTC(2025, 0, 10)) });
    const parsed = await parseWithFeedparser(lab);
    expect(decodeHTML(parsed.feed.subtitle!)).toBe('Articles in R&D <Lab>');
    expect(decodeHTML(parsed.feed.title!)).toBe('R&D <Lab> — News');
  });
});
