// Atom type="xhtml" bodies keep their mixed content in document order (text, then <b>, then text), as titles do:
// rss-parser's markup of xml2js nodes put an element's children after all of its text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeItem } from '../../../src/ingest/normalize.js';
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js';

const FEED_URL = 'https://feeds.example/atom-xhtml-content.xml';

async function bodies(fixture = 'atom-xhtml-content.xml'): Promise<string[]> {
  const text = readFileSync(new URL(`../../fixtures/feeds/${fixture}`, import.meta.url), 'utf8');
  const doc = await parseFeed(text, FEED_URL);
  return doc.items.map((item) => {
    const { article } = normalizeItem(item, { sourceKey: 'source:test', documentUrl: FEED_URL, fallbackDate: new Date(0), timezone: 'UTC', categories: [] });
    return article!.contentHtml;
  });
}

describe('Atom xhtml content', () => {
  it('keeps text and child elements in document order, nested too, without the wrapping div', async () => {
    expect((await bodies())[0]).toBe(
      '<p>Longer version from Atom, with <b>more</b> text than the RSS one.</p>'
        + '<p>A <a href="https://xhtml.example/about" rel="noopener noreferrer">link with <em>deep</em> words</a> then &amp; tail &lt;x&gt;<br />after the break.</p>',
    );
  });

  it('reads xhtml written with a namespace prefix as the same HTML', async () => {
    expect((await bodies())[1]).toBe('<p>Prefixed <strong>strong</strong> words in order.</p>');
  });

  it('keeps the order of an xhtml summary when there is no content', async () => {
    expect((await bodies())[2]).toBe('A summary <i>in</i> its order.');
  });

  it('decodes HTML entities once and keeps CDATA text, as a feed reader shows them', async () => {
    // `&eacute;` and `&nbsp;` are not XML's, common in hand-made feeds all the same; CDATA text is text.
    expect((await bodies('atom-xhtml-entities.xml'))[0]).toBe(
      '<p>Café\u00a0ok, café &amp;amp; <b>bold</b> x &lt; y &amp; z end <a href="https://xhtml.example/q?a=1&amp;b=2" rel="noopener noreferrer">link</a></p>',
    );
  });
});
