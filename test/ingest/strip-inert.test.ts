// The pass that cuts scripts, styles, SVG and comments from a full-text page before its DOM is built
// (src/ingest/fulltext/extract-article.ts): what it cuts, and that unclosed openers cost one pass, not one per opener.
import { describe, expect, it } from 'vitest';
import { stripInert } from '../../src/ingest/fulltext/extract-article.js';

/** The lazy regex it replaces: the same output, but quadratic on unclosed openers. */
const OLD_INERT = /<(script|style|svg)\b[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;

describe('stripInert', () => {
  const cases = [
    '<p>a</p><script>var x = "<p>";</script><p>b</p>',
    '<P>a</P><SCRIPT type="module">x()</Script ><style>p{}</STYLE><svg><path d="M0"/></svg>end',
    '<p>a<!-- a comment <script> inside --></p><!-- two --><p>b</p>',
    '<script>one</script><p>kept</p><script>two',
    '<scripts>not a script tag</scripts><svgx>nor this</svgx><p>x</p>',
    '<!-- unclosed comment <p>rest</p>',
    '<style>a</style><style>b',
    '<svg><script>inner</script></svg><p>after</p>',
    '',
  ];
  it.each(cases)('cuts what the regex it replaces cut: %s', (html) => {
    expect(stripInert(html)).toBe(html.replace(OLD_INERT, ''));
  });

  it('passes 160,000 unclosed <script> tags through in one pass (the regex backtracked over the page for each)', () => {
    const page = `<html><body><p>text</p>${'<script>'.repeat(160_000)}<style>p{}</style></body></html>`;
    expect(stripInert(page)).toBe(`<html><body><p>text</p>${'<script>'.repeat(160_000)}</body></html>`);
  }, 60_000);
});
