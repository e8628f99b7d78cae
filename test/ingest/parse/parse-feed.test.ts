import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.js';
import { decodeFeedBytes } from '../../../src/ingest/fetch/decode-bytes.js';
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js';
import { MAX_NESTING } from '../../../src/ingest/parse/xml-preflight.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url));
const text = (name: string) => decodeFeedBytes(fixture(name), null).text;

describe('parseFeed: RSS 2.0', () => {
  it('reads every item field and the ttl', async () => {
    const doc = await parseFeed(text('rss2.xml'), 'https://harbour.example/feed.xml');
    expect(doc.title).toBe('Harbour Notes');
    expect(doc.link).toBe('https://harbour.example/');
    expect(doc.ttlMinutes).toBe(45);
    expect(doc.items).toHaveLength(2);
    const [tides, crane] = doc.items;
    expect(tides).toMatchObject({
      title: 'Tide tables for May',
      link: 'https://harbour.example/notes/tides-may', // relative link resolved against the feed URL
      guid: 'harbour-note-101',
      published: 'Wed, 01 May 2024 07:30:00 +0200',
      author: 'Ines Moreau',
      categories: ['Tides', 'Schedules'],
      images: ['https://harbour.example/img/tide-thumb.jpg', 'https://harbour.example/img/tide.png'],
    });
    // content:encoded wins over description; the body keeps its relative URLs for the cleaner.
    expect(tides?.html).toBe('<p>The full <a href="/tables/may.pdf">tide table</a> &amp; notes.</p>');
    expect(tides?.baseUrl).toBeUndefined(); // no xml:base in the document
    // A permalink guid stands in for a missing link; only the image-typed media:content is an image.
    expect(crane).toMatchObject({
      link: 'https://harbour.example/notes/crane',
      author: 'ops@harbour.example (Operations)',
      html: '<p>Crane 3 is out of service.</p>',
      images: ['https://harbour.example/img/crane.jpg'],
    });
  });

  it('drops a date that cannot be a date, with a warning, and keeps the item', async () => {
    const doc = await parseFeed(text('rss2.xml'), 'https://harbour.example/feed.xml');
    expect(doc.items[1]?.published).toBeUndefined();
    expect(doc.warnings).toEqual([expect.stringContaining('item 2 date: unusable date "sometime soon"')]);
  });

  it('reads RSS 0.91 after stripping its plain Netscape DOCTYPE, HTML entities included', async () => {
    const doc = await parseFeed(decodeFeedBytes(fixture('rss091-doctype.xml'), null).text, 'http://cafe.example/rss');
    expect(doc.title).toBe('Café Corner');
    expect(doc.items.map((i) => i.title)).toEqual(['New espresso machine & grinder']);
  });

  it('escapes a bare ampersand instead of rejecting the feed', async () => {
    const xml = '<rss version="2.0"><channel><title>Fish & Chips</title><item><title>Cod & co</title></item></channel></rss>';
    const doc = await parseFeed(xml, 'https://chips.example/rss');
    expect(doc.title).toBe('Fish & Chips');
    expect(doc.items[0]?.title).toBe('Cod & co');
    expect(doc.warnings).toContain('escaped 2 bare "&" not starting an entity reference');
  });

  it('reads an <rss> without <channel> as an empty feed', async () => {
    const doc = await parseFeed('<rss version="2.0"></rss>', 'https://empty.example/rss');
    expect(doc.items).toEqual([]);
  });
});

describe('parseFeed: RSS 1.0 (RDF)', () => {
  it('reads dc:date, dc:creator and dc:subject', async () => {
    const doc = await parseFeed(text('rss1.rdf'), 'https://library.example/rss');
    expect(doc.title).toBe('New at the Library');
    expect(doc.items).toEqual([
      expect.objectContaining({
        title: 'An Atlas of Small Islands',
        link: 'https://library.example/books/42',
        guid: 'https://library.example/books/42',
        published: '2024-03-18T09:00:00Z',
        author: 'Judith Schalansky',
        categories: ['Geography'],
        html: 'A catalogue of islands too small for most maps.',
      }),
    ]);
  });
});

describe('parseFeed: Atom with xml:base', () => {
  it('resolves entry xml:base against feed xml:base against the feed URL', async () => {
    const doc = await parseFeed(text('atom-xml-base.xml'), 'https://observatory.example/feeds/journal.atom');
    expect(doc.title).toBe('Observatory Journal');
    expect(doc.link).toBe('https://observatory.example/journal/');
    const [comet, forecast, meteors] = doc.items;
    expect(comet).toMatchObject({
      title: 'Comet <em>C/2024</em> sighted',
      link: 'https://observatory.example/journal/2024/04/comet-sighted.html', // rel=alternate, not the enclosure
      guid: 'tag:observatory.example,2024:comet',
      published: '2024-04-02T20:15:00Z',
      updated: '2024-04-02T20:45:00Z',
      author: 'Ada Okafor',
      categories: ['comets'],
      images: ['https://observatory.example/journal/2024/04/comet.jpg'],
      baseUrl: 'https://observatory.example/journal/2024/04/',
    });
    // The body is left relative: the cleaner resolves it with baseUrl.
    expect(comet?.html).toBe('<p>See <img src="comet.jpg"> and <a href="../03/prior.html">last month</a>.</p>');
    expect(forecast).toMatchObject({
      link: 'https://observatory.example/journal/forecast.html',
      baseUrl: 'https://observatory.example/journal/',
      author: 'Night Desk', // inherited from the feed
      html: 'Tonight looks clear.',
    });
    // An xhtml title is its markup, read as HTML once when normalized ('Meteor log').
    expect(meteors).toMatchObject({ title: 'Meteor <b>log</b>', titleIsText: false });
    expect(meteors?.html).toContain('<p>Twelve meteors per hour.</p>');
  });

  it('keeps the whole feed when one entry has a bad date (rss-parser alone rejects it)', async () => {
    const doc = await parseFeed(text('atom-xml-base.xml'), 'https://observatory.example/feeds/journal.atom');
    expect(doc.items).toHaveLength(3);
    expect(doc.items[1]?.published).toBeUndefined();
    expect(doc.items[1]?.updated).toBe('2024-04-01T10:00:00Z');
    expect(doc.warnings.some((w) => w.includes('item 2') && w.includes('not even close to a date'))).toBe(true);
  });

  it('reads Atom 0.3 issued/modified dates', async () => {
    const xml = `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
      <entry><title>Legacy</title><link rel="alternate" type="text/html" href="http://old.example/1"/>
      <id>old-1</id><issued>2004-01-02T03:04:05Z</issued><modified>2004-01-03T00:00:00Z</modified></entry></feed>`;
    const doc = await parseFeed(xml, 'http://old.example/atom');
    expect(doc.items[0]).toMatchObject({ link: 'http://old.example/1', published: '2004-01-02T03:04:05Z', updated: '2004-01-03T00:00:00Z' });
  });
});

describe('parseFeed: JSON Feed', () => {
  it('reads JSON Feed 1.1 items, escaping content_text', async () => {
    const doc = await parseFeed(text('json-feed.json'), 'https://bakery.example/feed.json');
    expect(doc.title).toBe('Bakery Bulletin');
    expect(doc.link).toBe('https://bakery.example/');
    expect(doc.items).toHaveLength(2);
    expect(doc.items[0]).toMatchObject({
      guid: 'bread-1',
      title: 'Sourdough schedule',
      link: 'https://bakery.example/posts/sourdough',
      html: '<p>Loaves at <strong>7am</strong>.</p>',
      published: '2024-02-10T06:00:00+01:00',
      updated: '2024-02-10T08:00:00+01:00',
      author: 'Marta Ruiz',
      categories: ['bread', 'schedule'],
      images: ['https://bakery.example/img/loaf.jpg'],
    });
    expect(doc.items[1]).toMatchObject({
      guid: '2',
      link: 'https://bakery.example/posts/closed',
      author: 'The Bakers',
      html: '<p>We are closed on Monday.</p>\n<p>Back &lt;Tuesday&gt; &amp; later.</p>',
      images: ['https://bakery.example/img/banner.jpg'],
    });
    expect(doc.warnings).toEqual(['item 3: not an object; dropped']);
  });

  it('rejects malformed JSON with the parser message', async () => {
    await expect(parseFeed('{"items": [', 'https://bakery.example/feed.json')).rejects.toThrow(
      /^https:\/\/bakery\.example\/feed\.json: malformed JSON: /,
    );
  });
});

describe('parseFeed: refused and broken documents', () => {
  it('refuses DTD entity declarations and expands nothing', async () => {
    const error = await parseFeed(text('billion-laughs.xml'), 'https://lol.example/rss').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toBe(
      'https://lol.example/rss: declares DTD entities; refused (entities are never expanded)',
    );
    expect((error as ParseError).message).not.toContain('lollol');
  });

  it('refuses elements nested deeper than MAX_NESTING before parsing (2,000,000 unclosed tags ran the service out of memory)', async () => {
    const nested = `<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>t</title><description>${'<a>'.repeat(2_000_000)}</description></item></channel></rss>`;
    const error = await parseFeed(nested, 'https://deep.example/rss').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toBe(`https://deep.example/rss: elements nested more than ${MAX_NESTING} deep; refused`);
  });

  it('parses markup nested as deep as MAX_NESTING allows, CDATA and comments not counted', async () => {
    const deep = MAX_NESTING - 10;
    const body = `${'<b>'.repeat(deep)}deep text${'</b>'.repeat(deep)}<![CDATA[${'<a>'.repeat(20_000)}]]><!--${'<a>'.repeat(20_000)}-->`;
    const doc = await parseFeed(`<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>t</title><description>${body}</description></item></channel></rss>`, 'https://deep.example/rss');
    expect(doc.items[0]!.html).toContain('deep text');
  });

  it('reports malformed XML with the parser message', async () => {
    const error = await parseFeed(text('malformed.xml'), 'https://broken.example/rss').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^https:\/\/broken\.example\/rss: malformed XML: Unexpected close tag/);
  });

  it('names the feeds an HTML page advertises, as absolute URLs', async () => {
    const error = await parseFeed(text('html-page.html'), 'https://river.example/club/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toBe(
      'https://river.example/club/: not a feed (HTML page); it advertises https://river.example/news.rss, https://river.example/news.atom',
    );
  });

  it('says so when XML is not a feed', async () => {
    await expect(parseFeed('<note><to>Tove</to></note>', 'https://x.example/')).rejects.toThrow('not a feed (XML root element <note>)');
  });

  it('rejects an empty document', async () => {
    await expect(parseFeed('  \n', 'https://x.example/')).rejects.toThrow('https://x.example/: empty document');
  });
});
