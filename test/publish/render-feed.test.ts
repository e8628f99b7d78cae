import { describe, it, expect } from 'vitest';
import { renderAtom, renderJson, renderRss } from '../../src/publish/render-feed.js';
import type { FeedInput } from '../../src/publish/build-feed.js';
import { storyUrn } from '../../src/publish/feed-urls.js';
import { validateAtom } from '../support/validate-atom.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { validateRss } from '../support/validate-rss.js';
import { FINANCE, TECH, allStories, storyFinance, storyOld, storyTech } from '../fixtures/publish/stories.js';

const site = { baseUrl: 'https://feeds.example.org/', title: 'Aggregator & Co' };
const allInput: FeedInput = {
  site,
  category: { slug: 'all', name: 'All' },
  stories: allStories,
  updatedFallback: new Date('2000-01-01T00:00:00Z'),
};
const financeInput: FeedInput = { ...allInput, category: FINANCE, stories: [storyFinance] };
const emptyInput: FeedInput = { ...allInput, category: TECH, stories: [] };

describe('renderAtom', () => {
  it('is valid RFC 4287 Atom for tricky stories', async () => {
    const xml = renderAtom(allInput);
    expect(await validateAtom(xml)).toEqual([]);
  });

  it('is valid Atom for a Chinese-slug category and for an empty category', async () => {
    expect(await validateAtom(renderAtom(financeInput))).toEqual([]);
    const empty = renderAtom(emptyInput);
    expect(await validateAtom(empty)).toEqual([]);
    expect(empty).toContain('<updated>2000-01-01T00:00:00.000Z</updated>');
  });

  it('has a percent-encoded self link, URN ids, authors and enclosures', async () => {
    const xml = renderAtom(financeInput);
    expect(xml).toContain('<link rel="self" href="https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D.atom"/>');
    expect(xml).toContain(`<id>${storyUrn('story-finance-1')}</id>`);
    expect(xml).toMatch(/<id>urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}<\/id>/);
    expect(xml).toContain(
      '<link rel="enclosure" href="https://n.example.cn/img/343233024.png?w=1&amp;h=2" type="image/png" length="0"/>',
    );
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.bozo).toBe(0);
    expect(parsed.entries[0]!.author).toBe('新浪财经');
    expect(parsed.entries[0]!.tags).toEqual(['金融', 'Tech & <Science>']);
  });

  it('reads back with every entry, title and body intact', async () => {
    const xml = renderAtom(allInput);
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.bozo).toBe(0);
    expect(parsed.version).toBe('atom10');
    expect(parsed.entries.map((e) => e.id)).toEqual([storyTech, storyFinance, storyOld].map((s) => storyUrn(s.id)));
    // Atom titles are type="html": the plain title arrives as escaped HTML that displays verbatim.
    expect(parsed.entries[0]!.title).toBe('Markers ]]&gt; one and ]]&gt; two &lt;not a tag&gt; &amp; more');
    // Every entry has a link: its origin (with the story page as related), else the story page.
    expect(xml).not.toMatch(/<link href=""|<link\/>/);
    expect(parsed.entries.map((e) => e.link)).toEqual([
      `https://feeds.example.org/stories/${storyTech.id}`,
      'https://finance.example.cn/a/1.html?from=rss&x=1',
      storyOld.link ?? `https://feeds.example.org/stories/${storyOld.id}`,
    ]);
    expect(xml).toContain(`<link rel="related" type="text/html" href="https://feeds.example.org/stories/${storyFinance.id}"/>`);
    expect(parsed.entries[1]!.title).toBe('为实体经济提质增效 “撑腰” 深圳速度背后的金融科技力量');
    expect(parsed.entries[1]!.content).toContain('a]]>b and c]]>d');
    // Entries without their own author inherit the feed-level one (RFC 4287 4.1.1).
    expect(xml).toMatch(/<feed[^>]*>(?:(?!<entry>)[\s\S])*<author>\s*<name>Aggregator &amp; Co<\/name>\s*<\/author>/);
    expect(parsed.entries[0]!.author ?? null).toBeNull();
    expect(parsed.entries[2]!.enclosures).toEqual([
      { href: 'https://img.example.com/photo/12345', type: 'image/jpeg', length: '0' },
    ]);
    expect(parsed.entries[2]!.content).toContain('Only a summary here.');
  });

  it('uses the newest story change as the feed update time', () => {
    expect(renderAtom(allInput)).toMatch(/<feed[^>]*>\s*<id>[^<]+<\/id>\s*<title>[^<]+<\/title>\s*<updated>2022-04-28T10:00:00.000Z<\/updated>/);
  });
});

describe('renderRss', () => {
  it('is valid against the RSS 2.0 schema, an empty category too (the spec allows no items)', async () => {
    expect(await validateRss(renderRss(allInput))).toEqual([]);
    expect(await validateRss(renderRss(financeInput))).toEqual([]);
    expect(await validateRss(renderRss(emptyInput))).toEqual([]);
  });

  it('reads back with feedparser without errors, newest first', async () => {
    const parsed = await parseWithFeedparser(renderRss(allInput));
    expect(parsed.bozoException).toBeNull();
    expect(parsed.bozo).toBe(0);
    expect(parsed.version).toBe('rss20');
    expect(parsed.feed.title).toBe('Aggregator & Co');
    expect(parsed.entries).toHaveLength(3);
    // RSS titles hold no markup (issue 15 finding 7): `<` and `>` as entities, feedparser reads them as
    // text/html; a bare `&` stays as written (it reads the same as HTML, and newsboat shows it verbatim).
    expect(parsed.entries.map((e) => e.title)).toEqual([
      'Markers ]]&gt; one and ]]&gt; two &lt;not a tag&gt; & more',
      '为实体经济提质增效 “撑腰” 深圳速度背后的金融科技力量',
      'An older story with an extension-less image',
    ]);
    expect(parsed.entries[1]!.content).toContain('a]]>b and c]]>d');
  });

  it('names authors with dc:creator, not a bare <author>', async () => {
    const xml = renderRss(allInput);
    expect(xml).toContain('<dc:creator>新浪财经</dc:creator>');
    expect(xml).not.toMatch(/<author>/);
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.entries[1]!.author).toBe('新浪财经');
  });

  it('has guids, a self link, categories and an image enclosure with length and type', async () => {
    const xml = renderRss(financeInput);
    expect(xml).toContain(`<guid isPermaLink="false">${storyUrn('story-finance-1')}</guid>`);
    expect(xml).toContain('<atom:link href="https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D.rss" rel="self" type="application/rss+xml"/>');
    expect(xml).toContain('<lastBuildDate>Wed, 27 Apr 2022 02:00:00 GMT</lastBuildDate>');
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.bozo).toBe(0);
    const [entry] = parsed.entries;
    expect(entry!.link).toBe('https://finance.example.cn/a/1.html?from=rss&x=1');
    expect(entry!.tags).toEqual(['金融', 'Tech & &lt;Science&gt;']);
    expect(entry!.enclosures).toEqual([
      { href: 'https://n.example.cn/img/343233024.png?w=1&h=2', type: 'image/png', length: '0' },
    ]);
    expect(entry!.mediaThumbnail).toEqual(['https://n.example.cn/img/343233024.png?w=1&h=2']);
    // The plain-text summary is written as HTML (RSS descriptions are HTML).
    expect(entry!.summary).toBe('金融科技力量 深圳 a]]&gt;b and c]]&gt;d');
  });

  it('renders an empty category', async () => {
    const parsed = await parseWithFeedparser(renderRss(emptyInput));
    expect(parsed.bozo).toBe(0);
    expect(parsed.entries).toEqual([]);
    expect(parsed.feed.title).toBe('Tech & &lt;Science&gt; — Aggregator & Co');
  });
});

describe('renderJson', () => {
  it('is JSON Feed 1.1 with ids, authors, tags, images and summaries', () => {
    const doc = JSON.parse(renderJson(allInput));
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
    expect(doc.feed_url).toBe('https://feeds.example.org/feeds/all.json');
    expect(doc.home_page_url).toBe('https://feeds.example.org/categories/all');
    expect(doc.authors).toEqual([{ name: 'Aggregator & Co' }]);
    expect(doc.items.map((i: { id: string }) => i.id)).toEqual(
      [storyTech, storyFinance, storyOld].map((s) => storyUrn(s.id)),
    );
    const finance = doc.items[1];
    expect(finance.title).toBe('为实体经济提质增效 “撑腰” 深圳速度背后的金融科技力量');
    // `url` is the item's page here, `external_url` the origin it is about.
    expect(finance.url).toBe('https://feeds.example.org/stories/story-finance-1');
    expect(finance.external_url).toBe('https://finance.example.cn/a/1.html?from=rss&x=1');
    expect(finance.authors).toEqual([{ name: '新浪财经' }]);
    expect(finance.tags).toEqual(['金融', 'Tech & <Science>']);
    expect(finance.image).toBe('https://n.example.cn/img/343233024.png?w=1&h=2');
    expect(finance.content_html).toBe('<p>金融科技力量 <b>深圳</b></p><pre>a]]>b and c]]>d</pre>');
    expect(finance.summary).toBe('金融科技力量 深圳 a]]>b and c]]>d');
    expect(finance.date_published).toBe('2022-04-27T00:43:25.000Z');
    // A story without an origin link: its page, and no external_url.
    expect(doc.items[0].url).toBe(`https://feeds.example.org/stories/${storyTech.id}`);
    expect(doc.items[0].external_url).toBeUndefined();
    expect(doc.items[0].authors).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(renderJson(allInput)).toBe(renderJson(allInput));
    expect(renderAtom(allInput)).toBe(renderAtom(allInput));
    expect(renderRss(allInput)).toBe(renderRss(allInput));
  });
});
