// Titles and bodies a feed writes as child elements rather than escaped text (Atom xhtml, `type="html"` with its
// tags left unescaped, raw HTML in RSS <content:encoded>, <description> and <title>): the service reads them from
// the document in order, as the (X)HTML the publisher wrote, entities decoded once (as feedparser reads them).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { RunningService } from '../../src/main.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { startQuietService } from '../support/quiet-service.js';

const XHTML = 'xmlns="http://www.w3.org/1999/xhtml"';
const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Mixed Atom</title><id>urn:mixed</id><updated>2026-12-01T00:00:00Z</updated>
  <entry><id>urn:mixed:1</id><updated>2026-12-01T01:00:00Z</updated><link href="http://mixed.example/xhtml"/>
    <title type="xhtml"><div ${XHTML}>Caf&#233; <b>cr&egrave;me</b> &amp; <i>AT&amp;T</i> &lt;tag&gt; <![CDATA[x < y & z]]> end</div></title>
    <content type="html">&lt;p&gt;One&lt;/p&gt;</content></entry>
  <entry><id>urn:mixed:2</id><updated>2026-12-01T02:00:00Z</updated><link href="http://mixed.example/html"/>
    <title type="html">R&amp;D <b>na&iuml;ve</b> caf&eacute; &amp;amp; tail</title>
    <content type="html">&lt;p&gt;Two&lt;/p&gt;</content></entry>
</feed>`;
const rss = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Mixed RSS</title>
  <link>http://mixed.example/</link><description>d</description>
  <item><title>Raw content</title><link>http://mixed.example/encoded</link><guid>r1</guid><pubDate>Tue, 01 Dec 2026 03:00:00 GMT</pubDate>
    <content:encoded><p>a <b>b</b> c &amp; d</p><p>second <i>para</i> end</p></content:encoded></item>
  <item><title>Raw description</title><link>http://mixed.example/description</link><guid>r2</guid><pubDate>Tue, 01 Dec 2026 04:00:00 GMT</pubDate>
    <description>lead <b>bold</b> tail</description></item>
  <item><title>Both <b>raw</b> caf&eacute; kept &amp;amp; in order</title><link>http://mixed.example/both</link><guid>r3</guid><pubDate>Tue, 01 Dec 2026 05:00:00 GMT</pubDate>
    <description>unused <b>summary</b></description><content:encoded><div>x <a href="http://e.example/">link</a> y</div></content:encoded></item>
  <item><title>CDATA and a pixel</title><link>http://mixed.example/cdata</link><guid>r4</guid><pubDate>Tue, 01 Dec 2026 06:00:00 GMT</pubDate>
    <description>Short summary</description><content:encoded><![CDATA[<p>Full show notes with <b>links</b> &amp; more</p>]]><img src="http://mixed.example/pixel.gif" width="1" height="1"/></content:encoded></item>
</channel></rss>`;

let feeds: FixtureServer;
let service: RunningService;
let items: Map<string, { title: string; content_html: string }>;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mixed-markup-'));
  feeds = await startFixtureServer({ '/mixed.atom': serve(atom, 'application/atom+xml'), '/mixed.rss': serve(rss, 'application/rss+xml') });
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    sources: [
      { name: 'Mixed Atom', url: feeds.url('/mixed.atom'), categories: ['mixed'] },
      { name: 'Mixed RSS', url: feeds.url('/mixed.rss'), categories: ['mixed'] },
    ],
  });
  let base: string;
  ({ service, base } = await startQuietService(config));
  const res = await fetch(`${base}/feeds/mixed.json`);
  expect(res.status).toBe(200);
  const published = (await res.json()) as { items: { external_url: string; title: string; content_html: string }[] };
  items = new Map(published.items.map((item) => [new URL(item.external_url).pathname, item]));
});

afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

describe('titles written with child elements', () => {
  it('Atom xhtml: entities decoded once (HTML named ones too), tags dropped, CDATA kept, in order', () => {
    expect(items.get('/xhtml')?.title).toBe('Café crème & AT&T <tag> x < y & z end');
  });

  it('Atom type="html" with tags left unescaped: read as the HTML written', () => {
    expect(items.get('/html')?.title).toBe('R&D naïve café &amp; tail');
  });

  it('RSS: markup left in a title is read as HTML, its text in order', () => {
    expect(items.get('/both')?.title).toBe('Both raw café kept &amp; in order');
  });
});

describe('RSS bodies written as raw HTML (child elements, no CDATA)', () => {
  it('content:encoded keeps all of its text and elements, in order', () => {
    expect(items.get('/encoded')?.content_html).toBe('<p>a <b>b</b> c &amp; d</p><p>second <i>para</i> end</p>');
  });

  it('description keeps its elements in order', () => {
    expect(items.get('/description')?.content_html).toBe('lead <b>bold</b> tail');
  });

  it('CDATA in content:encoded beside an element is the HTML it holds, not text', () => {
    // (The 1×1 tracking pixel is then dropped by the cleaning, as anywhere.)
    expect(items.get('/cdata')?.content_html).toBe('<p>Full show notes with <b>links</b> &amp; more</p>');
  });

  it('content:encoded is preferred to the description, as when escaped', () => {
    expect(items.get('/both')?.content_html).toBe('<div>x <a href="http://e.example/" rel="noopener noreferrer">link</a> y</div>');
  });
});
