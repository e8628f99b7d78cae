import { describe, expect, it } from 'vitest';
import { htmlToText, plainTitle, summarize } from '../../../src/ingest/clean/plain-text.js';

describe('plainTitle', () => {
  it.each([
    ['AT&amp;T &#8220;quoted&#8221; &quot;x&quot; &#x4E2D;', 'AT&T “quoted” "x" 中'],
    ['<b>Bold</b> and <i>italic</i>', 'Bold and italic'],
    ['  many \n\t spaces\r\n here  ', 'many spaces here'],
    ['bell\u0007 and\u0000 null\u009f C1\u200b zwsp\ufeff', 'bell and null C1 zwsp'],
    ['<script>alert(1)</script>Title', 'Title'],
    ['AT&T and a < b', 'AT&T and a < b'],
    ['&amp;lt;b&amp;gt; once', '&lt;b&gt; once'],
    ['为实体经济提质增效_撑腰_ _深圳速度_背后的金融科技力量', '为实体经济提质增效_撑腰_ _深圳速度_背后的金融科技力量'],
    ['&nbsp;padded&nbsp;', 'padded'],
    // Only complete elements are markup; a `<` opening none is text and never swallows what follows.
    ["The Fed's <script> & R&D question", "The Fed's <script> & R&D question"],
    ['x <angled> y', 'x <angled> y'],
    ['<p>Keep <angled> inside</p> <b>done</b>', 'Keep <angled> inside done'],
    ['line<br/>break <!-- note --> end', 'linebreak end'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(plainTitle(input)).toBe(expected);
  });
});

describe('htmlToText', () => {
  it('separates blocks, joins inline runs and decodes entities', () => {
    expect(htmlToText('<p>one</p><p>t<b>w</b>o</p><ul><li>a &amp; b</li></ul>x<br />y&#x4E2D;&lt;')).toBe('one two a & b x y中<');
  });
});

describe('summarize', () => {
  it('returns short text whole', () => {
    expect(summarize('<p>Short   body.</p>')).toBe('Short body.');
  });

  it('cuts Chinese at a character boundary with an ellipsis, within the budget', () => {
    const body = `<p>　　${'深圳金融科技创新取得阶段性成果，'.repeat(30)}</p>`;
    const summary = summarize(body, 50);
    expect(Array.from(summary)).toHaveLength(50);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.startsWith('深圳金融科技')).toBe(true);
  });

  it('cuts Latin text at a word boundary', () => {
    const body = '<p>The quick brown fox jumps over the lazy dog and keeps running far away.</p>';
    const summary = summarize(body, 30);
    expect(summary).toBe('The quick brown fox jumps…');
    expect(summary.length).toBeLessThanOrEqual(30);
  });

  it('drops trailing punctuation before the ellipsis', () => {
    expect(summarize('<p>alpha beta, gamma delta epsilon</p>', 13)).toBe('alpha beta…');
  });

  it('never splits a surrogate pair', () => {
    const summary = summarize(`<p>${'😀'.repeat(400)}</p>`);
    expect(Array.from(summary)).toHaveLength(280);
    expect(summary).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('defaults to 280 characters and uses the start of a long body', () => {
    const body = `${'<p>段落内容。</p>'.repeat(2000)}`;
    const summary = summarize(body);
    expect(Array.from(summary).length).toBeLessThanOrEqual(280);
    expect(Array.from(summary).length).toBeGreaterThan(250);
    expect(summary).not.toContain('<');
  });

  it('reads past a markup-heavy start of a long body', () => {
    const body = `${'<p><a href="https://example.com/a/very/long/path/that/takes/room">x</a></p>'.repeat(400)}<p>${'tail '.repeat(100)}</p>`;
    const summary = summarize(body, 900);
    expect(summary).toContain('tail');
    expect(summary.endsWith('…')).toBe(true);
  });
});
