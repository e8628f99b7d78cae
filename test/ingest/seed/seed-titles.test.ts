// A seed title is a line a person or the crawler wrote: complete elements are markup (stripped, entities
// decoded, DESIGN §5), but a `<` that opens no complete element is text and must not swallow the rest.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeItem } from '../../../src/ingest/normalize.js';
import { parseSeedFile } from '../../../src/ingest/seed/parse-seed-file.js';

const titleOf = (text: string, relPath = 'posts/t.md'): string => {
  const parsed = parseSeedFile(text, { relPath, mtime: new Date(0), timezone: 'UTC' });
  const { article } = normalizeItem(parsed.item, {
    sourceKey: 'seed', documentUrl: null, fallbackId: relPath, fallbackDate: new Date(0), timezone: 'UTC', categories: [],
  });
  return article!.title;
};
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/seed/titles/${name}`, import.meta.url), 'utf8');
const frontMatter = (title: string): string => `---\ntitle: ${JSON.stringify(title)}\ndate: 2026-12-07 09:30:00\n---\n<p>Body.</p>\n`;

describe('seed titles with markup-like text', () => {
  it('keeps a front-matter title as written when its <script> is no element (the reader-trial file)', () => {
    expect(titleOf(fixture('markup-like-title.md'))).toBe('Rates: “Higher for longer”? The Fed\'s <script> & R&D question');
  });

  it('keeps <angled> in a Markdown heading that names a file without front matter', () => {
    expect(titleOf(fixture('markup-like-heading.md'))).toBe('Plain heading: "Quoted" & <angled> title');
  });

  it.each([
    ['<b>Bold</b> move &amp; more', 'Bold move & more'],
    ['<script>alert(1)</script>Harbour', 'Harbour'],
    ['Tags <em>inside <angled> text</em> here', 'Tags inside <angled> text here'],
    ['Fish &amp; chips </b> and a < b', 'Fish & chips </b> and a < b'],
  ])('front matter %j → %j (complete elements are markup, the rest is text)', (title, expected) => {
    expect(titleOf(frontMatter(title))).toBe(expected);
  });

  it('reads a heading\'s markup once: entities are decoded a single time, inline formatting dropped', () => {
    expect(titleOf('# Tom &amp; Jerry *return*\n\nx\n')).toBe('Tom & Jerry return');
    expect(titleOf('# Escaped &amp;lt;b&amp;gt; stays\n\nx\n')).toBe('Escaped &lt;b&gt; stays');
    expect(titleOf('<h1>Ferry <em>timetable</em> &lt;draft&gt;</h1><p>x</p>\n')).toBe('Ferry timetable <draft>');
  });
});
