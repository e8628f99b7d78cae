// What every reader needs from our documents beyond the schemas: RFC 4287's prose rules, the RSS
// Advisory Board profile, JSON Feed 1.1, WebSub and RFC 5005 links, and any text made safe.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import type { FeedInput } from '../../src/publish/build-feed.js';
import { archiveHistory, currentHistory } from '../../src/publish/archive-pages.js';
import { renderAtom, renderJson, renderRss } from '../../src/publish/render-feed.js';
import type { Story } from '../../src/types.js';
import { checkAtomRules } from '../support/atom-rules.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { validateAtom } from '../support/validate-atom.js';
import { validateJsonFeed } from '../support/validate-json-feed.js';
import { validateRss } from '../support/validate-rss.js';
import { FINANCE, allStories } from '../fixtures/publish/stories.js';

const site = { baseUrl: 'https://feeds.example.org', title: 'Aggregator' };
const HUB = 'https://hub.example.net/';
const base: FeedInput = { site, category: FINANCE, stories: allStories, updatedFallback: new Date('2000-01-01T00:00:00Z') };
const withExtras: FeedInput = {
  ...base,
  extras: { ttlMinutes: 10, hub: HUB, history: currentHistory(site.baseUrl, FINANCE.slug, 3, 'atom') },
};

describe('Atom beyond the schema (RFC 4287 §4.1)', () => {
  it('has an author for every entry, unique ids and one alternate link per type', async () => {
    const xml = renderAtom(withExtras);
    expect(await validateAtom(xml)).toEqual([]);
    expect(checkAtomRules(xml)).toEqual([]);
  });

  it('catches a document breaking those rules (the check can fail)', () => {
    const bad = `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>t</title><updated>2020-01-01T00:00:00Z</updated>
      <link rel="self" href="https://x/"/><link href="https://a/"/><link rel="alternate" href="https://b/"/>
      <entry><id>urn:1</id><title>a</title><updated>2020-01-01T00:00:00Z</updated></entry>
      <entry><id>urn:1</id><title>b</title><updated>2020-01-01T00:00:00Z</updated><link href="https://c/"/></entry></feed>`;
    expect(checkAtomRules(bad)).toEqual([
      'feed: two alternate links with type/hreflang "|"',
      'entry 1: no author at entry or feed level',
      'entry 1: neither alternate link nor content',
      'entry 2: duplicate id urn:1',
      'entry 2: no author at entry or feed level',
    ]);
  });

  it('names the hub, itself and the newest archive page', async () => {
    const xml = renderAtom(withExtras);
    expect(xml).toContain(`<link rel="hub" href="${HUB}"/>`);
    expect(xml).toContain('<link rel="prev-archive" href="https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D/archive/3.atom"/>');
    expect(xml).not.toContain('fh:archive');
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.bozo).toBe(0);
    expect(parsed.feed.links.map((l) => l.rel).sort()).toEqual(['alternate', 'hub', 'prev-archive', 'self']);
  });

  it('marks an archive page with fh:archive and links to current, previous and next pages', async () => {
    const xml = renderAtom({ ...base, extras: { history: archiveHistory(site.baseUrl, 'tech', 2, 3, 'atom') } });
    expect(await validateAtom(xml)).toEqual([]);
    expect(xml).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
    expect(xml).toContain('<fh:archive/>');
    expect(xml).toContain('<link rel="current" href="https://feeds.example.org/feeds/tech.atom"/>');
    expect(xml).toContain('<link rel="prev-archive" href="https://feeds.example.org/feeds/tech/archive/1.atom"/>');
    expect(xml).toContain('<link rel="next-archive" href="https://feeds.example.org/feeds/tech/archive/3.atom"/>');
  });
});

describe('RSS 2.0 per the RSS Advisory Board profile', () => {
  it('carries ttl from the schedule, the hub, self and history as atom:link, guid not a permalink', async () => {
    const xml = renderRss({ ...withExtras, extras: { ...withExtras.extras, history: currentHistory(site.baseUrl, 'x', 2, 'rss') } });
    expect(await validateRss(xml)).toEqual([]);
    expect(xml).toContain('<ttl>10</ttl>');
    expect(xml).toContain('<atom:link href="https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D.rss" rel="self" type="application/rss+xml"/>');
    expect(xml).toContain(`<atom:link href="${HUB}" rel="hub"/>`);
    expect(xml).toContain('<atom:link href="https://feeds.example.org/feeds/x/archive/2.rss" rel="prev-archive" type="application/rss+xml"/>');
    expect(xml).toMatch(/<lastBuildDate>[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT<\/lastBuildDate>/);
    expect(xml.match(/<guid isPermaLink="false">urn:uuid:/g)).toHaveLength(3);
    expect(xml).toContain('<dc:creator>Ann Writer</dc:creator>');
    expect((await parseWithFeedparser(xml)).bozo).toBe(0);
  });

  it('is valid as an archive page with fh:archive', async () => {
    const xml = renderRss({ ...base, extras: { history: archiveHistory(site.baseUrl, 'tech', 1, 1, 'rss') } });
    expect(await validateRss(xml)).toEqual([]);
    expect(xml).toContain('<fh:archive/>');
    expect((await parseWithFeedparser(xml)).bozo).toBe(0);
  });
});

describe('JSON Feed 1.1', () => {
  it('passes the schema check, with hubs', () => {
    const text = renderJson(withExtras);
    expect(validateJsonFeed(text)).toEqual([]);
    expect(JSON.parse(text).hubs).toEqual([{ type: 'WebSub', url: HUB }]);
  });

  it('the check catches what the schema forbids', () => {
    const bad = JSON.stringify({ version: 'https://jsonfeed.org/version/1', items: [{ id: 1 }, { id: 'a', url: 'nope', content_text: 'x' }] });
    expect(validateJsonFeed(bad)).toEqual([
      'version: https://jsonfeed.org/version/1',
      'title: missing or not a string',
      'items[0].id: missing or not a string',
      'items[0]: needs content_html or content_text',
      'items[1].url: not a URL',
    ]);
  });
});

describe('any text', () => {
  // Control characters, lone surrogates, `]]>` repeated, markup: every document stays valid.
  const nasty = fc.array(
    fc.oneof(fc.string(), fc.constantFrom(']]>', ']]>]]>', '\u0000', '\u0008', '\uFFFE', '\uD800', '<b>', '&', '深圳', '"\'')),
    { maxLength: 12 },
  ).map((parts) => parts.join(''));

  it('gives valid Atom, RSS and JSON Feed', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, nasty, nasty, async (title, body, author) => {
        const story: Story = { ...allStories[0]!, id: 'p', title, contentHtml: body, summary: body, author: author || null };
        const input: FeedInput = { ...withExtras, stories: [story] };
        const atom = renderAtom(input);
        expect(await validateAtom(atom)).toEqual([]);
        expect(checkAtomRules(atom)).toEqual([]);
        expect(await validateRss(renderRss(input))).toEqual([]);
        expect(validateJsonFeed(renderJson(input))).toEqual([]);
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
