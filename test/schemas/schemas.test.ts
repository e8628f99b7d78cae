// The schemas in this folder are what the feed tests validate against; these cases show they reject
// what RFC 4287 and the RSS 2.0 specification forbid, so a passing validation means something.
import { describe, expect, it } from 'vitest';
import { validateAtom } from '../support/validate-atom.js';
import { validateRss } from '../support/validate-rss.js';

const atom = (feedChildren: string, entry = ''): string =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">${feedChildren}${entry}</feed>`;
const feedHead = '<id>urn:x:1</id><title>T</title><updated>2022-04-27T08:43:25Z</updated><author><name>A</name></author>';
const entry = (children: string): string => `<entry>${children}</entry>`;
const entryHead = '<id>urn:x:2</id><title>E</title><link href="https://example.com/e"/>';

describe('atom.rng (RFC 4287 Appendix B)', () => {
  it('accepts a minimal feed with one entry and extension elements', async () => {
    const ext = '<x:rating xmlns:x="urn:ext">5</x:rating>';
    expect(await validateAtom(atom(feedHead + ext, entry(`${entryHead}<updated>2022-04-27T08:43:25+08:00</updated>${ext}`)))).toEqual([]);
  });

  it('rejects a feed without atom:id (4.1.1), a date that is not RFC 3339 (3.3), an unknown text type (3.1.1)', async () => {
    expect(await validateAtom(atom('<title>T</title><updated>2022-04-27T08:43:25Z</updated>'))).not.toEqual([]);
    expect(await validateAtom(atom(feedHead, entry(`${entryHead}<updated>Wed, 27 Apr 2022 08:43:25 GMT</updated>`)))).not.toEqual([]);
    expect(await validateAtom(atom(feedHead.replace('<title>T</title>', '<title type="markdown">T</title>')))).not.toEqual([]);
  });

  it('rejects an atom:link without href (4.2.7.1) and two atom:title elements (4.1.1)', async () => {
    expect(await validateAtom(atom(`${feedHead}<link rel="self"/>`))).not.toEqual([]);
    expect(await validateAtom(atom(`${feedHead}<title>again</title>`))).not.toEqual([]);
  });
});

const rss = (channel: string, attrs = 'version="2.0"'): string => `<?xml version="1.0"?><rss ${attrs}><channel>${channel}</channel></rss>`;
const head = '<title>T</title><link>https://example.com/</link><description>D</description>';
const item = (children: string): string => `<item>${children}</item>`;

describe('rss-2.0.xsd (RSS 2.0 specification)', () => {
  it('accepts a channel with no items, and items sharing a title, in any element order', async () => {
    expect(await validateRss(rss(head))).toEqual([]);
    const items = item('<title>Same</title><guid isPermaLink="false">a</guid>') + item('<guid isPermaLink="false">b</guid><title>Same</title>');
    expect(await validateRss(rss(`<ttl>15</ttl>${items}${head}`))).toEqual([]);
  });

  it('accepts extension elements from other namespaces in channel and item ("Extending RSS")', async () => {
    const ext = '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ann</dc:creator>';
    expect(await validateRss(rss(`${head}${ext}${item(`<title>x</title>${ext}`)}`))).toEqual([]);
  });

  it('rejects a channel missing a required element, or with one twice ("Required channel elements")', async () => {
    expect(await validateRss(rss('<link>https://example.com/</link><description>D</description>'))).not.toEqual([]);
    expect(await validateRss(rss(`${head}<title>again</title>`))).not.toEqual([]);
  });

  it('rejects a version other than 2.0, an unknown element, and an item element given twice', async () => {
    expect(await validateRss(rss(head, 'version="0.91"'))).not.toEqual([]);
    expect(await validateRss(rss(`${head}<colour>red</colour>`))).not.toEqual([]);
    expect(await validateRss(rss(`${head}${item('<title>x</title><guid>a</guid><guid>b</guid>')}`))).not.toEqual([]);
  });

  it('rejects dates that are not RFC 822, a negative ttl and an enclosure without length', async () => {
    expect(await validateRss(rss(`${head}${item('<title>x</title><pubDate>2022-04-27T08:43:25Z</pubDate>')}`))).not.toEqual([]);
    expect(await validateRss(rss(`${head}${item('<title>x</title><pubDate>Wed, 27 Apr 2022 08:43:25 GMT</pubDate>')}`))).toEqual([]);
    expect(await validateRss(rss(`${head}<ttl>-5</ttl>`))).not.toEqual([]);
    expect(await validateRss(rss(`${head}${item('<title>x</title><enclosure url="https://e.com/a.mp3" type="audio/mpeg"/>')}`))).not.toEqual([]);
  });
});
