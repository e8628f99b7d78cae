// The sanitizer on random and hostile HTML: it never throws, and what it returns holds no active content.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanHtml } from '../../src/ingest/clean/clean-html.js';
import { activeContent, XSS_VECTORS } from './active-content.js';

const BASE = 'https://news.example.org/2025/story.html';

/** HTML-ish text: fragments that matter to parsers and sanitizers, glued with random text. */
const TOKENS = [
  '<', '>', '</', '/>', '"', "'", '`', '=', ' ', '\n', '\t', '\u0000', '&', '&#', ';', '&lt;', '&gt;', '&#x3c;', '<!--', '-->', '<![CDATA[', ']]>',
  '<script>', '</script>', '<style>', '</style>', '<svg>', '</svg>', '<math>', '<iframe', '<img', '<a', '<p>', '</p>', '<div>', '</div>',
  '<table>', '<td>', '<noscript>', '</noscript>', '<textarea>', '<title>', '<template>', '<xmp>', '<base', '<meta', '<link', '<form',
  ' src=', ' href=', ' srcset=', ' onerror=', ' onload=', ' style=', ' xlink:href=', ' srcdoc=', ' formaction=', ' background=',
  'javascript:', 'JaVaScRiPt:', 'java\tscript:', '&#106;avascript:', 'data:text/html,', 'vbscript:', 'alert(1)', 'https://ok.example/x.png', '/rel/path', '//evil.example',
];
const htmlish = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })), { maxLength: 60 }).map((parts) => parts.join(''));

describe('cleanHtml properties', () => {
  it('never throws and never returns active content, on random HTML-ish input', () => {
    fc.assert(
      fc.property(htmlish, fc.option(fc.constant(BASE), { nil: null }), (html, baseUrl) => {
        const { html: out } = cleanHtml(html, { baseUrl });
        expect(activeContent(out)).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on arbitrary strings (any code points)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(activeContent(cleanHtml(text, { baseUrl: BASE }).html)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('removes the active content of every known XSS vector, alone and nested in a paragraph', () => {
    for (const vector of XSS_VECTORS) {
      for (const html of [vector, `<p>before ${vector} after</p>`, `<div><a href="https://ok.example/">${vector}</a></div>`]) {
        const out = cleanHtml(html, { baseUrl: BASE }).html;
        expect(activeContent(out), `${html}\n→ ${out}`).toEqual([]);
        // `javascript:` may survive as text or inside an https path (a backquoted src resolved as relative), never as a URL.
        expect(out.toLowerCase()).not.toMatch(/<script|=\s*["']?\s*javascript:|\sonerror=|\sonload=/);
      }
    }
  });

  it('has a checker that flags the vectors themselves (all but those an HTML parser makes inert)', () => {
    const inert = XSS_VECTORS.filter((vector) => activeContent(vector).length === 0);
    // An unclosed tag at the end of input is dropped; CDATA and processing instructions become bogus comments.
    expect(inert).toEqual(['<IMG SRC="javascript:alert(1)"', '<![CDATA[<script>alert(1)</script>]]>', '<?xml-stylesheet href="javascript:alert(1)"?>']);
  });

  it('is stable: cleaning clean output changes nothing that is active', () => {
    fc.assert(
      fc.property(htmlish, (html) => {
        const once = cleanHtml(html, { baseUrl: BASE }).html;
        expect(activeContent(cleanHtml(once, { baseUrl: BASE }).html)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
