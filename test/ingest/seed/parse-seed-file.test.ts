import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.js';
import { parseSeedFile, readCategories } from '../../../src/ingest/seed/parse-seed-file.js';

const mtime = new Date('2023-03-03T03:03:03Z');
const read = (name: string): string => readFileSync(new URL(`../../fixtures/seed/${name}`, import.meta.url), 'utf8');
const parse = (name: string, timezone = 'UTC') => parseSeedFile(read(name), { relPath: `posts/${name}`, mtime, timezone });

describe('parseSeedFile', () => {
  it('reads the crawler shape: BOM, blank line, RFC 822 date, quoted title with _ substitutes', () => {
    const { item, warnings, dateFromMtime } = parse('bom-rfc822.md');
    expect(item.title).toBe('央行_降准_释放长期资金约5000亿元');
    expect(item.published).toEqual(new Date('2022-04-15T11:00:00Z'));
    expect(item.categories).toEqual(['金融', '财经新闻－国內']);
    expect(item.author).toBe('财经观察');
    expect(item.images).toEqual(['https://img.example.com/lead/1001.png']);
    expect(item.guid).toBeUndefined();
    expect(item.link).toBeUndefined();
    expect(item.html).toContain('<p>央行决定');
    expect(warnings).toEqual([]);
    expect(dateFromMtime).toBe(false);
  });

  it('reads a zone-less date in the configured zone (.txt, 4-space categories)', () => {
    expect(parse('local-date.txt').item.published).toEqual(new Date('2022-04-27T08:43:25Z'));
    const shanghai = parse('local-date.txt', 'Asia/Shanghai');
    expect(shanghai.item.published).toEqual(new Date('2022-04-27T00:43:25Z'));
    expect(shanghai.item.title).toBe('City bike-sharing pilot extended to 2023');
    expect(shanghai.item.categories).toEqual(['Tech', '科技']);
  });

  it('falls back to the file mtime for Invalid Date, with a warning', () => {
    const { item, warnings, dateFromMtime } = parse('invalid-date.md');
    expect(item.published).toEqual(mtime);
    expect(dateFromMtime).toBe(true);
    expect(warnings.join('\n')).toMatch(/posts\/invalid-date\.md: date unusable \("Invalid Date"\)/);
    expect(item.categories).toEqual(['Notes']);
  });

  it('recovers an unquoted invalid-YAML title running over two lines', () => {
    const { item, warnings } = parse('unquoted-at-title.md');
    expect(item.title).toBe('@quietfox shares a long thread about rivers, maps and the old ferry line');
    expect(item.categories).toEqual(['随笔']);
    expect(item.published).toEqual(new Date('2021-11-02T19:05:00Z'));
    expect(warnings.join('\n')).toMatch(/invalid YAML front matter .*recovered line by line/);
  });

  it('strips quote runs around a title', () => {
    expect(parse('quote-run-title.md').item.title).toBe('Ten small habits that save time');
  });

  it('flattens nested categories, reduces Markdown links to their text, drops blanks', () => {
    expect(parse('nested-categories.md').item.categories).toEqual(['免费游戏', 'Webtoons - Lantern']);
    expect(parse('markdown-link-only-category.md').item.categories).toEqual(['Harbor Press', 'Ports']);
  });

  it('keeps the HTML body of the QR-ad shape as HTML', () => {
    const { item } = parse('html-body-qr.txt');
    expect(item.title).toBe('港口吞吐量_连续三个月_增长');
    expect(item.html).toContain('&#123;');
    expect(item.html).not.toContain('<pre>');
  });

  it('renders a Markdown body and reads flow-list categories', () => {
    const { item } = parse('markdown-body.md');
    expect(item.html).toContain('<h1>Brewing</h1>');
    expect(item.categories).toEqual(['Life', 'Food']);
    expect(item.published).toEqual(new Date('2022-05-05T01:30:00Z'));
  });

  it('keeps raw image strings, drops empty ones, takes an absolute link', () => {
    const { item } = parse('images-and-link.md');
    expect(item.images).toEqual(['/images/404.gif']);
    expect(item.link).toBe('https://blog.example.com/posts/relative-image');
  });

  it('ignores a relative or non-http link', () => {
    const text = "---\ntitle: t\nlink: /posts/t\nurl: 'javascript:alert(1)'\n---\nx";
    expect(parseSeedFile(text, { relPath: 'a.md', mtime, timezone: 'UTC' }).item.link).toBeUndefined();
  });

  it('reads CRLF files', () => {
    const { item } = parse('crlf.md');
    expect(item.title).toBe('Windows line endings');
    expect(item.categories).toEqual(['Tech']);
    expect(item.html).toBe('<p>CRLF body.</p>');
  });

  it('takes the title from a heading when there is no front matter, and warns', () => {
    const { item, warnings, dateFromMtime } = parse('no-front-matter.md');
    expect(item.title).toBe('A heading is all we have');
    expect(dateFromMtime).toBe(true);
    expect(warnings[0]).toMatch(/no front matter/);
  });

  it('names an article whose front matter has no title after the body\'s first heading, as one without front matter', () => {
    const parseText = (text: string) => parseSeedFile(text, { relPath: 'notes/n.md', mtime, timezone: 'UTC' });
    const markdown = parseText('---\ndate: 2026-12-04 10:00\ncategories: [Notes]\n---\n# Harbour reopens after the storm\n\nText.\n');
    expect(markdown.item.title).toBe('Harbour reopens after the storm');
    expect(markdown.item.published).toEqual(new Date('2026-12-04T10:00:00Z'));
    expect(markdown.item.categories).toEqual(['Notes']);
    expect(parseText('---\ntitle: "  "\n---\n<h1>Ferry <em>timetable</em></h1><p>x</p>\n').item.title).toBe('Ferry timetable');
    expect(parseText('# No front matter\n\nx\n').item.title).toBe('No front matter');
    expect(parseText('# Tom &amp; Jerry *return*\n\nx\n').item.title).toBe('Tom & Jerry return');
  });

  it('never takes a title from a code block: a `# comment` line there is not a heading', () => {
    const parseText = (text: string) => parseSeedFile(text, { relPath: 'notes/n.md', mtime, timezone: 'UTC' });
    const fenced = '---\ndate: 2026-12-04\n---\nSet up:\n\n```bash\n# install the driver\napt-get install x\n```\n\n    # indented code\n';
    expect(() => parseText(fenced)).toThrow(/^notes\/n\.md: no recoverable title/);
    expect(parseText(`${fenced}\n# The real heading\n`).item.title).toBe('The real heading');
  });

  it('rejects a file with no recoverable title, by name', () => {
    expect(() => parse('no-title.md')).toThrow(ParseError);
    expect(() => parse('no-title.md')).toThrow(/^posts\/no-title\.md: no recoverable title/);
    expect(() => parseSeedFile("---\ntitle: '\"\"'\n---\n<p>x</p>", { relPath: 'q.md', mtime, timezone: 'UTC' })).toThrow(ParseError);
  });

  it('parses a real crawler file (a copy of the sample seed article)', () => {
    const text = read('000_1b534d2e98435e34.txt');
    const { item, warnings } = parseSeedFile(text, { relPath: '000.txt', mtime, timezone: 'UTC' });
    expect(item.title).toBe('为实体经济提质增效_撑腰_ _深圳速度_背后的金融科技力量');
    expect(item.categories).toEqual(['金融', '新浪财经', '新浪财经－国內']);
    expect(item.published).toEqual(new Date('2022-04-27T00:43:25Z'));
    expect(item.html).toContain('<style>');
    expect(item.html).not.toContain('<pre><code>');
    expect(warnings).toEqual([]);
  });
});

describe('readCategories', () => {
  it('accepts a string, numbers, nested lists and one-entry mappings', () => {
    expect(readCategories(' 金融 ')).toEqual(['金融']);
    expect(readCategories([2048, ['a', ['b', '']], null, { 科技: '手机' }, 'a'])).toEqual(['2048', 'a', 'b', '科技: 手机']);
    expect(readCategories(undefined)).toEqual([]);
  });
});

describe('honest recovery', () => {
  it('says what line-by-line recovery gave, and removes the quote the YAML never closed', () => {
    const { item, recovered, dateFromMtime } = parse('broken-front-matter.md');
    expect(item.title).toBe('unterminated quote');
    expect(item.categories).toEqual(['金融', '新浪财经']);
    expect(dateFromMtime).toBe(true);
    expect(recovered).toMatch(/^front matter recovered line by line \(title, categories; date: file time\) after a YAML error: /);
  });

  it('says nothing for a file YAML reads', () => {
    expect(parse('bom-rfc822.md').recovered).toBeNull();
  });

  it('says so when a written date cannot be read and the file time stands in, but not for a missing one', () => {
    const file = (date: string) => parseSeedFile(`---\ntitle: Board meeting\n${date}---\nMinutes.\n`, { relPath: 'notes/meeting.md', mtime, timezone: 'Europe/Berlin' });
    const unread = file('date: 03.12.2026 14:00\n');
    expect(unread.item.published).toEqual(mtime);
    expect(unread.recovered).toBe('date "03.12.2026 14:00" is not a date this reads (use e.g. 2026-12-03 14:00 or an RFC 822 date); using the file\'s modification time');
    expect(file('date: 2026-12-03 14:00\n').recovered).toBeNull();
    expect(file('').recovered).toBeNull();
    expect(file('date: ""\n').recovered).toBeNull();
    expect(file('date: " "\n').recovered).toBeNull();
    // The crawler's literal, a documented fallback.
    expect(parse('invalid-date.md').recovered).toBeNull();
  });
});
