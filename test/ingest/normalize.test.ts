import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { siteRulesSchema } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { normalizeItem, type NormalizeContext } from '../../src/ingest/normalize.js';
import { parseSeedFile } from '../../src/ingest/seed/parse-seed-file.js';
import type { Article, RawItem } from '../../src/types.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const seedContext = (relPath: string): NormalizeContext => ({
  sourceKey: 'seed', documentUrl: null, fallbackId: relPath, fallbackDate: new Date(0), timezone: 'UTC', categories: [],
});
const feedContext: NormalizeContext = {
  sourceKey: 'source:Test', documentUrl: 'https://news.example.com/feed.xml', fallbackDate: new Date(0), timezone: 'UTC', categories: [],
};

function normalizeSeed(file: string, rules?: NormalizeContext['rules']): { article: Article; firedRules: string[] } {
  const relPath = path.basename(file);
  const parsed = parseSeedFile(readFileSync(file, 'utf8'), { relPath, mtime: new Date(0), timezone: 'UTC' });
  const result = normalizeItem(parsed.item, { ...seedContext(relPath), rules });
  if (!result.article) throw new Error(`${file}: no article`);
  return { article: result.article, firedRules: result.firedRules };
}

const item = (fields: Partial<RawItem>): RawItem => ({ title: 'Harbour opens', link: 'https://news.example.com/a/1', ...fields });
const image = (fields: Partial<RawItem>, context = feedContext): string | null => normalizeItem(item(fields), context).article!.image;

describe('lead image', () => {
  it('never takes the QR-code ad image, even when the front matter names it (the real seed shape)', () => {
    const { article, firedRules } = normalizeSeed(path.join(FIXTURES, 'clean/seed-qr-headimg.md'));
    expect(article.image).toBe('https://img.example.com/finance/2022/harbour-wide.jpg');
    expect(article.contentHtml).not.toContain('app-download');
    expect(firedRules).toEqual(expect.arrayContaining(['builtin:qr-ad', 'builtin:editor', 'builtin:stock-quote']));
  });

  it('uses the ad image after all when the user switched the built-in rules off (it is then content)', () => {
    const { article } = normalizeSeed(path.join(FIXTURES, 'clean/seed-qr-headimg.md'), siteRulesSchema.parse({ builtin: false }));
    expect(article.image).toBe('https://img.example.com/finance/qr/20200514/app-download.png');
  });

  it('takes front matter, media:* and enclosures in the parser’s order', () => {
    expect(image({ images: ['https://cdn.example.com/thumb.jpg', 'https://cdn.example.com/enclosure.jpg'], html: '<p><img src="https://cdn.example.com/body.jpg"></p>' })).toBe(
      'https://cdn.example.com/thumb.jpg',
    );
  });

  it('never leads with a random-photo service, built in or configured, nor keeps one in the body', () => {
    const html = '<p>x<img src="https://picsum.photos/400/300?random=8787"><img src="https://cdn.example.com/photo.jpg"></p>';
    const seed = seedContext('a.md');
    const lead = ['https://picsum.photos/400/300?random=8787', 'https://source.unsplash.com/random/800x600', 'https://via.placeholder.com/150'];
    expect(image({ images: lead, html }, seed)).toBe('https://cdn.example.com/photo.jpg');
    expect(normalizeItem(item({ images: lead, html }), seed).article!.contentHtml).toBe('<p>x<img src="https://cdn.example.com/photo.jpg" /></p>');
    const configured = { ...seed, urls: { placeholderImages: ['cdn.example.com/photo'] } };
    expect(image({ images: lead, html }, configured)).toBeNull();
    expect(normalizeItem(item({ images: lead, html }), configured).article!.contentHtml).toBe('<p>x</p>');
  });

  it('drops placeholders and relative paths that have no base, then falls back to the body', () => {
    const html = '<p>x<img src="https://cdn.example.com/photo.jpg"></p>';
    const seed = seedContext('a.md');
    expect(image({ images: ['/images/404.gif', 'https://cdn.example.com/images/placeholder.png', ''], html }, seed)).toBe('https://cdn.example.com/photo.jpg');
    expect(image({ images: ['https://cdn.example.com/default.jpg', 'https://cdn.example.com/no-image.png'], html: '<p>text only</p>' })).toBeNull();
    // A feed item has a base: its relative image resolves.
    expect(image({ images: ['/img/lead.jpg'] })).toBe('https://news.example.com/img/lead.jpg');
  });

  it('reads a protocol-relative front-matter image as https without a base, as it reads the body\'s', () => {
    const { link: _, ...noLink } = item({ images: ['//cdn.example.com/lead.jpg'], html: '<p><img src="//cdn.example.com/body.jpg"></p>' });
    const article = normalizeItem(noLink, seedContext('a.md')).article!;
    expect(article.contentHtml).toBe('<p><img src="https://cdn.example.com/body.jpg" /></p>');
    expect(article.image).toBe('https://cdn.example.com/lead.jpg');
  });

  it('skips body images declared smaller than 100 px, tracking pixels and placeholders', () => {
    const html =
      '<p><img src="https://cdn.example.com/icon.png" width="32" height="32">' +
      '<img src="https://cdn.example.com/badge.png" style="width: 80px">' +
      '<img src="https://cdn.example.com/p.gif" width="1" height="1">' +
      '<img src="https://cdn.example.com/loading.gif">' +
      '<img src="https://cdn.example.com/wide.jpg" width="100%">' +
      '<img src="https://cdn.example.com/later.jpg"></p>';
    expect(image({ html })).toBe('https://cdn.example.com/wide.jpg');
    expect(image({ html: '<p><img src="https://cdn.example.com/icon.png" width="99"></p>' })).toBeNull();
    expect(image({ html: '<p><img src="https://cdn.example.com/big.png" width="100" height="120"></p>' })).toBe('https://cdn.example.com/big.png');
  });

  it('skips a declared image that only appears inside content a configured rule removed', () => {
    const rules = siteRulesSchema.parse({ remove: ['.sponsor'] });
    const html = '<p>story</p><div class="sponsor"><img src="https://ads.example.com/banner.jpg"></div>';
    const context = { ...feedContext, rules };
    expect(image({ images: ['https://ads.example.com/banner.jpg'], html }, context)).toBeNull();
    // The same image also kept in the body is the article's own.
    expect(image({ images: ['https://ads.example.com/banner.jpg'], html: `${html}<p><img src="https://ads.example.com/banner.jpg"></p>` }, context)).toBe(
      'https://ads.example.com/banner.jpg',
    );
  });
});

/** Every seed-shaped file we have: the sample folder (storage/seed) and the seed fixtures. */
function seedFiles(): string[] {
  const roots = [path.resolve(import.meta.dirname, '../../storage/seed'), path.join(FIXTURES, 'seed'), path.join(FIXTURES, 'clean')];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(md|markdown|txt|html?)$/.test(name)) out.push(full);
    }
  };
  for (const root of roots) walk(root);
  return out.sort();
}

const EMPTY_ELEMENT = /<(p|div|span|a|li|ul|ol|b|strong|em|i|font|h[1-6]|blockquote|figure|section)\b[^>]*>\s*<\/\1>/i;

describe('the sample folder, cleaned', () => {
  const files = seedFiles();
  const resolve = createCategoryResolver([]);
  const articles = files.flatMap((file) => {
    const relPath = path.relative(FIXTURES, file);
    let parsed;
    try {
      parsed = parseSeedFile(readFileSync(file, 'utf8'), { relPath, mtime: new Date(0), timezone: 'UTC' });
    } catch {
      return []; // files with no recoverable title are rejected by name (their own tests)
    }
    const { article } = normalizeItem(parsed.item, { ...seedContext(relPath), categories: resolve(parsed.item.categories ?? []) });
    return article ? [{ file: relPath, article }] : [];
  });

  it('covers the sample folder and the ad-carrying fixtures', () => {
    expect(articles.length).toBeGreaterThanOrEqual(10);
    expect(files.some((file) => file.includes('storage/seed'))).toBe(true);
  });

  it.each(['appendQr', '二维码', '海量资讯', '责任编辑', 'article-editor', 'quote_', 'pixel.gif', '<style', '<script', '<!--', '&#123;', 'cms-style', 'class='])(
    'contains no %s',
    (needle) => {
      for (const { file, article } of articles) expect(`${file}: ${article.contentHtml}`).not.toContain(needle);
    },
  );

  it('contains no empty element and no 1×1 image', () => {
    for (const { file, article } of articles) {
      expect(`${file}: ${article.contentHtml}`).not.toMatch(EMPTY_ELEMENT);
      expect(`${file}: ${article.contentHtml}`).not.toMatch(/<img[^>]*(?:width|height)="[01]"/);
    }
  });

  it('never leads with an ad, placeholder or relative image', () => {
    for (const { file, article } of articles) {
      if (article.image === null) continue;
      expect(article.image, file).toMatch(/^https?:\/\//);
      expect(article.image, file).not.toMatch(/\/qr\/|404|placeholder|app-download/i);
    }
  });
});

describe('a date after the item was received', () => {
  const receivedAt = new Date('2026-12-07T22:00:00Z');
  const warningsFor = (published: string) => normalizeItem(item({ published }), { ...feedContext, receivedAt }).warnings;

  it('is reported by the item, with both times, when it lies more than 10 minutes ahead (a wrong zone, a typo\'d year)', () => {
    expect(warningsFor('Tue, 08 Dec 2026 06:00:00 GMT')).toEqual([
      'Harbour opens: dated 2026-12-08T06:00:00.000Z, after it was received (2026-12-07T22:00:00.000Z): published as first seen',
    ]);
    expect(warningsFor('2031-03-01T09:00:00Z')).toHaveLength(1);
  });

  it('is not reported for a clock a few minutes fast, nor without a receipt time; the stated date is kept either way', () => {
    expect(warningsFor('Mon, 07 Dec 2026 22:09:00 GMT')).toEqual([]);
    const unreceived = normalizeItem(item({ published: '2031-03-01T09:00:00Z' }), feedContext);
    expect(unreceived.warnings).toEqual([]);
    expect(unreceived.article!.published.toISOString()).toBe('2031-03-01T09:00:00.000Z');
  });
});
