import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { serve, startFixtureServer } from '../support/fixture-server.js';
import { annotateMerges, inspectInputs, type InspectEntry, type InspectedArticle } from '../../src/ingest/inspect-input.js';

const SEED = path.resolve(import.meta.dirname, '../../storage/seed');
const config = configSchema.parse({ sources: [], seedFolder: { path: SEED } });
const fetchOptions = { timeoutMs: 1000, maxBytes: 1_000_000, userAgent: 'test' };

describe('inspect: local seed files', () => {
  it('reads a Markdown file without front matter as the seed scan does, and names a file outside the folder as given', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'inspect-seed-'));
    const note = path.join(dir, 'note.md');
    await writeFile(note, '# Harbour reopens\n\nThe ferry runs again.\n');
    const untitled = path.join(dir, 'untitled.md');
    await writeFile(untitled, '---\ndate: 2026-12-04\n---\nNo heading.\n');
    const [read, rejected] = await inspectInputs([note, untitled], config, fetchOptions);
    expect(read).toMatchObject({ error: null, articles: [{ title: 'Harbour reopens', content: expect.stringContaining('The ferry runs again.') }] });
    expect(rejected!.error).toBe(`${untitled}: no recoverable title in front matter, nor a # heading or <h1> in the body`);
  });
});

describe('inspect: dates in the future', () => {
  it('names a feed item and a seed file dated after the inspection, and keeps their stated dates', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'inspect-future-'));
    const feed = path.join(dir, 'wire.rss');
    await writeFile(feed, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>
      <item><title>Rates held</title><link>https://wire.example/1</link><pubDate>Sat, 01 Mar 2031 09:00:00 GMT</pubDate><description>Held.</description></item>
      <item><title>Harbour reopens</title><link>https://wire.example/2</link><pubDate>Sat, 01 Mar 2025 09:00:00 GMT</pubDate><description>Open.</description></item></channel></rss>`);
    const seed = path.join(dir, 'typo.md');
    await writeFile(seed, "---\ntitle: 'Quarterly report'\ndate: 2031-03-01 09:00:00\n---\n<p>Body.</p>\n");
    const entries = await inspectInputs([feed, seed], config, fetchOptions);
    const future = / dated 2031-03-01T09:00:00\.000Z, after it was received \(\S+Z\): published as first seen$/;
    expect(entries.map((entry) => entry.warnings)).toEqual([[expect.stringMatching(new RegExp(`^Rates held:${future.source}`))], [expect.stringMatching(new RegExp(`^Quarterly report:${future.source}`))]]);
    expect(entries.map((entry) => entry.articles[0]!.published)).toEqual(['2031-03-01T09:00:00.000Z', '2031-03-01T09:00:00.000Z']);
  });
});

describe('inspect: merge record', () => {
  it('clusters articles across inputs and says which merged and how far apart', async () => {
    const sina = path.join(SEED, '金融/新浪财经/2022-04-27 数字人民币试点扩容.txt');
    const daily = path.join(SEED, '金融/数字人民币试点“再扩容”.md');
    const tea = path.join(SEED, '生活/☕ tea notes.markdown');
    const entries = await inspectInputs([sina, daily, tea], config, fetchOptions);
    const [a, b, c] = entries.map((entry) => entry.articles[0]!) as [InspectedArticle, InspectedArticle, InspectedArticle];
    expect(a.firedRules).toEqual(['builtin:qr-ad', 'builtin:editor']);
    expect(a.titleKey).toBe(b.titleKey);
    expect(a.mergedWith).toEqual([{ input: daily, title: '数字人民币试点“再扩容”：深圳先行', differenceHours: 8 }]);
    expect(b.mergedWith).toEqual([{ input: sina, title: '数字人民币试点_再扩容_ 深圳先行', differenceHours: -8 }]);
    expect(c.mergedWith).toEqual([]);
  });

  it('uses the configured window: 7 h keeps an 8-hour slip apart', async () => {
    const entry = (input: string, title: string, published: string): InspectEntry => ({
      input, warnings: [], error: null,
      articles: [{ title, titleKey: 'same', published, link: null, guid: null, updated: null, author: null, categories: [], image: null, enclosures: [], summary: '', content: '', firedRules: [], filteredBy: null }],
    });
    const pair = () => [entry('a', 'A', '2022-04-27T00:00:00.000Z'), entry('b', 'B', '2022-04-27T08:00:00.000Z')];
    expect(annotateMerges(pair(), 7 * 3_600_000).map((e) => e.articles[0]!.mergedWith)).toEqual([[], []]);
    expect(annotateMerges(pair(), 12 * 3_600_000)[0]!.articles[0]!.mergedWith).toEqual([{ input: 'b', title: 'B', differenceHours: 8 }]);
  });

  it('counts a date after the inspection from the inspection, as the store counts it from the first sighting', () => {
    const entry = (input: string, published: string): InspectEntry => ({
      input, warnings: [], error: null,
      articles: [{ title: input, titleKey: 'same', published, link: null, guid: null, updated: null, author: null, categories: [], image: null, enclosures: [], summary: '', content: '', firedRules: [], filteredBy: null }],
    });
    const seenMs = Date.parse('2026-12-07T22:00:00Z');
    const typo = () => [entry('feed', '2026-12-07T21:00:00.000Z'), entry('typo', '2031-03-01T09:00:00.000Z')];
    expect(annotateMerges(typo(), 3_600_000, seenMs)[0]!.articles[0]!.mergedWith).toEqual([{ input: 'typo', title: 'typo', differenceHours: 1 }]);
    expect(annotateMerges(typo(), 3_600_000)[0]!.articles[0]!.mergedWith).toEqual([]);
  });
});

describe('inspect: source filter', () => {
  it('names the rule that drops each article of a configured source (filteredBy), null for the kept ones', async () => {
    const items = ['Bitcoin up', 'Sponsored: bitcoin', 'Gold flat'].map((t, i) => `<item><guid>g${i}</guid><title>${t}</title><description>x</description></item>`);
    const server = await startFixtureServer({ '/feed.xml': serve(`<rss version="2.0"><channel><title>T</title>${items.join('')}</channel></rss>`, 'application/rss+xml') });
    try {
      const url = server.url('/feed.xml');
      const filtered = configSchema.parse({ sources: [{ name: 'n', url, filter: { block: ['(?i)sponsored'], keep: ['(?i)bitcoin'] } }] });
      const [entry] = await inspectInputs([url], filtered, { ...fetchOptions, allowPrivateNetworks: true });
      expect(entry!.error).toBeNull();
      expect(entry!.articles.map((a) => [a.title, a.filteredBy])).toEqual([
        ['Bitcoin up', null], ['Sponsored: bitcoin', 'block: (?i)sponsored'], ['Gold flat', 'keep: no rule matched'],
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('inspect: enclosures', () => {
  it("shows each article's media files as stored (absolute http(s) URL, type, byte length), and names the ones dropped", async () => {
    const podcast = await readFile(path.resolve(import.meta.dirname, '../fixtures/enclosures/podcast.rss'));
    const server = await startFixtureServer({ '/podcast.rss': serve(podcast, 'application/rss+xml') });
    try {
      const [entry] = await inspectInputs([server.url('/podcast.rss')], config, { ...fetchOptions, allowPrivateNetworks: true });
      expect(entry!.error).toBeNull();
      expect(entry!.articles.map((a) => [a.title, a.enclosures])).toEqual([
        ['Episode 12: Tides', [{ url: server.url('/media/episode-12.mp3?src=rss'), type: 'audio/mpeg', length: 48213766 }]],
        ['Episode 11: Cranes', [
          { url: 'https://cdn.radio.example/11.mp4', type: 'video/mp4', length: null },
          { url: 'https://cdn.radio.example/11-transcript.pdf', type: 'application/pdf', length: 5120 },
        ]],
      ]);
      expect(entry!.warnings).toEqual(['Episode 11: Cranes: enclosure "javascript:alert(1)" dropped: not an http(s) URL']);
    } finally {
      await server.close();
    }
  });

  it('gives a seed file, which has none, an empty list', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'inspect-enclosures-'));
    const note = path.join(dir, 'note.md');
    await writeFile(note, '# Harbour reopens\n\nThe ferry runs again.\n');
    const [entry] = await inspectInputs([note], config, fetchOptions);
    expect(entry!.articles.map((a) => a.enclosures)).toEqual([[]]);
  });
});
