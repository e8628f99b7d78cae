// OPML exports in the shapes Miniflux, FreshRSS, Feedly and Inoreader write, nested folders, a broken
// file, and a commented YAML config that keeps its comments, order and quoting when sources are added.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addOpmlSources, comparableFeedUrl } from '../../src/config/add-opml-sources.js';
import { parseConfig } from '../../src/config/load-config.js';
import { readOpml } from '../../src/config/read-opml.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/opml');
const fixture = (name: string) => readFile(path.join(FIXTURES, name), 'utf8');
const feedsOf = async (name: string) => readOpml(await fixture(name), name);

describe('readOpml', () => {
  it('reads a Miniflux export: categories as folders, "All" among them', async () => {
    expect(await feedsOf('miniflux.opml')).toEqual([
      { title: 'Hacker News: Front Page', xmlUrl: 'https://hnrss.org/frontpage', folders: ['All'] },
      { title: '新浪财经-国内', xmlUrl: 'https://rss.sina.com.cn/finance/china.xml', folders: ['金融'] },
      { title: 'Federal Reserve', xmlUrl: 'https://www.federalreserve.gov/feeds/press_all.xml', folders: ['金融'] },
    ]);
  });

  it('reads a FreshRSS export: text-only titles, frss: attributes, escaped ampersands', async () => {
    expect(await feedsOf('freshrss.opml')).toEqual([
      { title: 'FreshRSS releases', xmlUrl: 'https://github.com/FreshRSS/FreshRSS/releases.atom', folders: ['Uncategorized'] },
      { title: 'LWN.net', xmlUrl: 'https://lwn.net/headlines/rss', folders: ['Tech'] },
      { title: 'Ars Technica & friends', xmlUrl: 'https://feeds.arstechnica.com/arstechnica/index?format=xml&tag=all', folders: ['Tech'] },
    ]);
  });

  it('reads Feedly and Inoreader exports (OPML 1.0, title and text, feeds outside any folder)', async () => {
    expect((await feedsOf('feedly.opml')).map((f) => [f.title, f.folders])).toEqual([
      ['The Verge', ['Tech']], ['Hacker News', ['Tech']], ['The Economist: Finance and economics', ['Economics']],
    ]);
    expect(await feedsOf('inoreader.opml')).toEqual([
      { title: 'Reuters Business', xmlUrl: 'https://www.reutersagency.com/feed/?best-topics=business-finance&post_type=best', folders: ['Finance'] },
      { title: 'The Verge', xmlUrl: 'https://www.theverge.com/rss/index.xml', folders: [] },
      { title: 'BBC News - Technology', xmlUrl: 'https://feeds.bbci.co.uk/news/technology/rss.xml', folders: ['News'] },
    ]);
  });

  it('gives a feed inside nested folders every folder on its path', async () => {
    expect((await feedsOf('nested.opml')).map((f) => [f.title, f.folders])).toEqual([
      ['LWN.net', ['Tech', 'Linux']],
      ['Kernel.org releases', ['Tech', 'Linux', 'Kernel']],
      ['Rust blog', ['Tech']],
      ['LWN again', ['Reading']],
      ['', []],
      ['Bookmarklet', []],
    ]);
  });

  it('names the file, line and column of a broken file, and refuses what is not OPML', async () => {
    await expect(feedsOf('broken.opml')).rejects.toThrow('broken.opml: not well-formed XML: line 7, column 9: Unexpected close tag');
    await expect(readOpml('<rss version="2.0"><channel/></rss>', 'feed.xml')).rejects.toThrow('feed.xml: not OPML (the root element is <rss>, not <opml>)');
    await expect(readOpml('', 'empty.opml')).rejects.toThrow('empty.opml: empty file, not OPML');
  });
});

describe('addOpmlSources', () => {
  it('compares URLs without scheme, www., default port, fragment or trailing slash', () => {
    expect(comparableFeedUrl('http://hnrss.org/frontpage/')).toBe(comparableFeedUrl('https://hnrss.org/frontpage'));
    expect(comparableFeedUrl('https://WWW.Example.com:443/a/?x=1#top')).toBe(comparableFeedUrl('https://example.com/a?x=1'));
    expect(comparableFeedUrl('https://example.com/a?x=1')).not.toBe(comparableFeedUrl('https://example.com/a?x=2'));
    expect(comparableFeedUrl('javascript:alert(1)')).toBeNull();
  });

  it('appends the new sources and changes nothing else in a commented config (diff asserted)', async () => {
    const original = await fixture('aggregator.yaml');
    const feeds = [...(await feedsOf('feedly.opml')), ...(await feedsOf('miniflux.opml'))];
    const result = addOpmlSources(original, feeds, 'feedly.opml');
    // The diff is a pure insertion at the end of `sources` (its last item ends the file here).
    expect(result.text.startsWith(original)).toBe(true);
    expect(result.text.slice(original.length)).toBe(
      [
        '  # imported from feedly.opml',
        '  - name: The Verge',
        '    url: https://www.theverge.com/rss/index.xml',
        '    categories: [Tech]',
        '  - name: "The Economist: Finance and economics"',
        '    url: https://www.economist.com/finance-and-economics/rss.xml',
        '    categories: [Economics]',
        '  - name: 新浪财经-国内',
        '    url: https://rss.sina.com.cn/finance/china.xml',
        '    categories: [金融]',
        '  - name: Federal Reserve',
        '    url: https://www.federalreserve.gov/feeds/press_all.xml',
        '    categories: [金融]',
        '',
      ].join('\n'),
    );
    // Feedly's http://hnrss.org/frontpage/ and Miniflux's https://hnrss.org/frontpage are the configured feed;
    // Miniflux's "All" folder (its uncategorized feeds) is not made a category.
    expect(result.skipped).toEqual([
      { title: 'Hacker News', url: 'http://hnrss.org/frontpage/', reason: 'already configured as "Hacker News"' },
      { title: 'Hacker News: Front Page', url: 'https://hnrss.org/frontpage', reason: 'already configured as "Hacker News"' },
    ]);
    expect(parseConfig(result.text, 'aggregator.yaml').sources.map((s) => s.name)).toEqual([
      'Hacker News', 'BBC Technology', 'The Verge', 'The Economist: Finance and economics', '新浪财经-国内', 'Federal Reserve',
    ]);
  });

  it('inserts after the last item when other keys and comments follow the sources', () => {
    const config = 'sources:\n  - name: A   # first\n    url: https://a.example/feed\n  # - name: disabled\n\n# the end\nschedule: "*/5 * * * *"\n';
    const result = addOpmlSources(config, [{ title: 'B', xmlUrl: 'https://b.example/feed', folders: [] }], 'x.opml');
    expect(result.text).toBe(
      'sources:\n  - name: A   # first\n    url: https://a.example/feed\n  # imported from x.opml\n  - name: B\n    url: https://b.example/feed\n  # - name: disabled\n\n# the end\nschedule: "*/5 * * * *"\n',
    );
  });

  it('fills `sources: []` and a config without sources, and numbers a name already taken', () => {
    const feed = { title: 'A', xmlUrl: 'https://other.example/feed', folders: ['Tech', 'Linux'] };
    expect(addOpmlSources('# c\nsources: []   # none yet\n', [feed], 'x.opml').text).toBe(
      '# c\nsources:\n  # imported from x.opml\n  - name: A\n    url: https://other.example/feed\n    categories: [Tech, Linux]   # none yet\n',
    );
    expect(addOpmlSources('schedule: "*/5 * * * *"', [feed], 'x.opml').text).toBe(
      'schedule: "*/5 * * * *"\nsources:\n  # imported from x.opml\n  - name: A\n    url: https://other.example/feed\n    categories: [Tech, Linux]\n',
    );
    const taken = addOpmlSources('sources:\n  - name: A\n    url: https://a.example/feed\n', [feed], 'x.opml');
    expect(taken.added.map((s) => s.name)).toEqual(['A (2)']);
  });

  it('adds a feed listed in two folders once with both, and skips what is not http(s)', async () => {
    const result = addOpmlSources('sources: []\n', await feedsOf('nested.opml'), 'nested.opml');
    expect(result.added).toEqual([
      { name: 'LWN.net', url: 'https://lwn.net/headlines/rss', categories: ['Tech', 'Linux', 'Reading'] },
      { name: 'Kernel.org releases', url: 'https://www.kernel.org/feeds/kdist.xml', categories: ['Tech', 'Linux', 'Kernel'] },
      { name: 'Rust blog', url: 'https://blog.rust-lang.org/feed.xml', categories: ['Tech'] },
      { name: 'untitled.example/feed.xml', url: 'https://untitled.example/feed.xml', categories: [] },
    ]);
    expect(result.skipped).toEqual([
      { title: 'LWN again', url: 'https://LWN.net/headlines/rss#top', reason: 'listed again in the OPML: added once as "LWN.net", with both folders as categories' },
      { title: 'Bookmarklet', url: 'javascript:alert(1)', reason: 'not an http(s) URL' },
    ]);
    expect(parseConfig(result.text, 'c.yaml').sources[0]!.categories).toEqual(['Tech', 'Linux', 'Reading']);
  });
});
