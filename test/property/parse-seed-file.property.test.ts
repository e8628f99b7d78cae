// The seed-file path of the pipeline (parse → normalize → clean) on random and hostile files: a file
// either yields an article or is rejected with a ParseError naming it; nothing else ever escapes, and
// the stored body holds no active content.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { normalizeItem } from '../../src/ingest/normalize.js';
import { parseSeedFile } from '../../src/ingest/seed/parse-seed-file.js';
import { activeContent, XSS_VECTORS } from './active-content.js';

const TOKENS = [
  '\n', '\r\n', '\uFEFF', '---', '---\n', '\n---\n', 'title: ', 'title:', "'", '"', '"""""""', 'categories:', '\n - ', '\n    - ', '\n -  - ', 'date: ',
  'updated: ', 'Invalid Date', '2022-04-27 08:43:25', 'Wed, 27 Apr 2022 00:43:25 GMT', '99999-99-99', 'headimg: ', 'thumbnail: ', '/images/404.gif',
  'https://n.example/a.png', '@name', '[Naver](https://n.example/)', '&a ', '*a', '!!binary ', '!!js/function ', '{', '}', '[', ']', ':', '|', '>', '%', '#', '&#123;',
  '<div>', '</div>', '<p>', '<script>alert(1)</script>', '<style>.x{}</style>', '<!-- c -->', '            ', '```', '# heading', '[x](javascript:alert(1))',
  '<img src=x onerror=alert(1)>', '\u0000', '\t', ' ', '撑腰', '_', '“', '”',
];
const seedish = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })), { maxLength: 50 }).map((parts) => parts.join(''));
const MTIME = new Date('2024-05-06T07:08:09Z');

/** The pipeline for one file, as run-seed-folder.ts runs it. Throws only what parseSeedFile throws. */
function pipeline(text: string, timezone = 'UTC') {
  const parsed = parseSeedFile(text, { relPath: 'a/b.md', mtime: MTIME, timezone });
  const normalized = normalizeItem(parsed.item, {
    sourceKey: 'seed', documentUrl: null, fallbackId: 'a/b.md', fallbackDate: MTIME, timezone, categories: [],
  });
  return { parsed, article: normalized.article };
}

/** Checks one file against the contract; returns what became of it, so tests can show both outcomes occur. */
function check(text: string, timezone?: string): 'article' | 'rejected' | 'none' {
  let result: ReturnType<typeof pipeline>;
  try {
    result = pipeline(text, timezone);
  } catch (error) {
    // The contract: a rejected file is a ParseError naming it; nothing else may escape.
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).input).toBe('a/b.md');
    return 'rejected';
  }
  expect(Number.isNaN(result.parsed.item.published instanceof Date ? result.parsed.item.published.getTime() : 0)).toBe(false);
  if (result.article) {
    expect(activeContent(result.article.contentHtml)).toEqual([]);
    expect(result.article.title.trim()).not.toBe('');
    expect(Number.isNaN(result.article.published.getTime())).toBe(false);
    return 'article';
  }
  return 'none';
}

describe('seed file pipeline properties', () => {
  it('yields an article or a ParseError for seed-shaped random files, never anything else', () => {
    const outcomes = { article: 0, rejected: 0, none: 0 };
    fc.assert(fc.property(seedish, fc.constantFrom('UTC', 'Asia/Shanghai', 'No/Such_Zone'), (text, zone) => void outcomes[check(text, zone)]++), { numRuns: 2000 });
    // Both outcomes must occur: a parser that returned nothing, or rejected everything, would pass the above.
    expect(outcomes.article).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('survives arbitrary text, including lone surrogates and control characters', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => void check(text)), { numRuns: 1000 });
  });

  it('survives front matter around hostile bodies and titles', () => {
    fc.assert(
      fc.property(fc.constantFrom(...XSS_VECTORS), fc.constantFrom(...XSS_VECTORS), (title, body) => {
        check(`\n---\ntitle: ${title}\ncategories:\n - x\ndate: 2022-04-27 08:43:25\n---\n${body}\n`);
        // A valid title makes an article whatever the body: the hostile body is cleaned, not the file lost.
        expect(check(`---\ntitle: 'ok title'\n---\n${body}`)).toBe('article');
      }),
      { numRuns: 500 },
    );
  });

  it('does not blow up on YAML alias bombs', () => {
    const bomb = ['---', 'a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`), 'title: bomb', '---', 'body'].join('\n');
    // Expanded, the aliases would be ~150 million nodes: an unprotected parser would run out of memory
    // or into the test timeout. How fast the refusal is belongs to the benchmarks.
    check(bomb);
  });
});
