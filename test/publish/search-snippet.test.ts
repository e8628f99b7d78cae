import { describe, expect, it } from 'vitest';
import { SNIPPET_SCAN_HTML_CHARS, searchSnippet } from '../../src/publish/search-snippet.js';

describe('search snippets', () => {
  it('shows the text around the first match with every matched word marked, cut with ellipses', () => {
    const html = `<p>${'lorem ipsum '.repeat(20)}The <b>harbour</b> reopened; harbours and 深圳港口 too. ${'dolor sit '.repeat(40)}</p>`;
    const snippet = searchSnippet(html, ['harbour', '港口'], new Set());
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('The <mark>harbour</mark> reopened; <mark>harbours</mark> and 深圳<mark>港口</mark> too.');
  });

  it('marks a prefix as the start of words, and escapes the text', () => {
    expect(searchSnippet('<p>Bitcoin &lt;ETFs&gt; &amp; bits</p>', ['bit'], new Set(['bit']))).toBe('<mark>Bit</mark>coin &lt;ETFs&gt; &amp; <mark>bit</mark>s');
  });

  it('looks for the first match in the body\'s first SNIPPET_SCAN_HTML_CHARS only: past them it shows the start', () => {
    const filler = 'a'.repeat(SNIPPET_SCAN_HTML_CHARS);
    const late = searchSnippet(`<p>Opening words. ${filler} harbour</p>`, ['harbour'], new Set());
    expect(late.startsWith('Opening words. aaa')).toBe(true);
    expect(late).not.toContain('<mark>');
    const early = searchSnippet(`<p>${'a '.repeat(1000)}harbour ${filler}</p>`, ['harbour'], new Set());
    expect(early).toContain('<mark>harbour</mark>');
  });

  it('leaves no half of a surrogate pair where the part it reads ends', () => {
    // A match just before the cut, so the snippet reaches it; the emoji's first half is the last character read.
    const html = `${'a'.repeat(SNIPPET_SCAN_HTML_CHARS - 12)} harbour aa😀 more`;
    expect(html.charCodeAt(SNIPPET_SCAN_HTML_CHARS - 1)).toBe(0xd83d);
    const snippet = searchSnippet(html, ['harbour'], new Set());
    expect(snippet).toMatch(/<mark>harbour<\/mark> aa…$/);
    expect(snippet).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
