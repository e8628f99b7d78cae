// Checks and repairs run on XML text before rss-parser: it rejects any document declaring DTD
// entities (we refuse those outright: entities are never expanded), chokes on bare `&`, and has no
// notion of an HTML page served where a feed was expected.
import { createRequire } from 'node:module';
import type * as Htmlparser2 from 'htmlparser2';

// htmlparser2 (sanitize-html's parser) is required on the first HTML page, not at startup: required rather than
// imported so it is sanitize-html's CommonJS copy, and advertisedFeeds stays synchronous.
const require = createRequire(import.meta.url);
let htmlparser2: typeof Htmlparser2 | undefined;

export interface Preflight {
  text: string;
  warnings: string[];
}

export class PreflightRefusal extends Error {
  override name = 'PreflightRefusal';
}

const DOCTYPE = /<!DOCTYPE\s+[^[>]*(?:\[([\s\S]*?)\]\s*)?>/i;

/**
 * Strips a plain DOCTYPE (RSS 0.91 Netscape), refuses one whose internal subset declares entities,
 * and escapes bare ampersands outside CDATA and comments.
 */
export function preflightXml(input: string): Preflight {
  const warnings: string[] = [];
  let text = input.replace(/^\uFEFF/, '');
  const doctype = DOCTYPE.exec(text);
  if (doctype) {
    if (/<!ENTITY/i.test(doctype[1] ?? '')) {
      throw new PreflightRefusal('declares DTD entities; refused (entities are never expanded)');
    }
    text = text.slice(0, doctype.index) + text.slice(doctype.index + doctype[0].length);
  } else if (/<!ENTITY/i.test(text.slice(0, 4096))) {
    // An entity declaration outside a well-formed DOCTYPE is still an expansion attempt.
    throw new PreflightRefusal('declares DTD entities; refused (entities are never expanded)');
  }
  let repaired = 0;
  // One pass over the markup outside CDATA and comments: its nesting measured (the chunks come in order), bare `&` escaped.
  let depth = 0;
  text = mapOutsideCdata(text, (chunk) => {
    depth = nestingAfter(chunk, depth);
    return chunk.replace(/&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)/g, () => {
      repaired++;
      return '&amp;';
    });
  });
  if (repaired > 0) warnings.push(`escaped ${repaired} bare "&" not starting an entity reference`);
  return { text, warnings };
}

/**
 * How deep elements may nest. Real feeds nest a few dozen deep (raw HTML in a body included). Past ~2,500 levels the
 * readers of an item overflow the stack (the item is dropped), and 2,000,000 unclosed `<a>` in one 6 MB description
 * ran the service out of its 192 MB heap (the XML parser's tree: ~190 bytes an open element) before the parser could
 * call the document malformed.
 */
export const MAX_NESTING = 1_000;

const TAG = /<(\/?)[A-Za-z_][^>]*>/g;

/** The element nesting after `chunk` of markup, from `depth` before it; refused once past MAX_NESTING. */
function nestingAfter(chunk: string, depth: number): number {
  for (const tag of chunk.matchAll(TAG)) {
    if (tag[1]) depth--;
    else if (!tag[0].endsWith('/>') && ++depth > MAX_NESTING) {
      throw new PreflightRefusal(`elements nested more than ${MAX_NESTING} deep; refused`);
    }
  }
  return depth;
}

/** Applies `fn` to the markup between CDATA sections and comments, leaving those untouched. */
function mapOutsideCdata(text: string, fn: (chunk: string) => string): string {
  const parts = text.split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->)/);
  return parts.map((part, i) => (i % 2 === 1 ? part : fn(part))).join('');
}

/** True when the text is an HTML page rather than XML or JSON. */
export function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').replace(/^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*/, '');
  return /^<!DOCTYPE\s+html\b/i.test(head) || /^<(?:html|head|body)\b/i.test(head);
}

const FEED_TYPES = /^application\/(?:rss\+xml|atom\+xml|feed\+json|rdf\+xml)$|^application\/json$/i;

/** Feed URLs an HTML page advertises with `<link rel="alternate" type="…feed…" href>`, absolute. */
export function advertisedFeeds(html: string, pageUrl: string): string[] {
  htmlparser2 ??= require('htmlparser2') as typeof Htmlparser2;
  let base: string | undefined;
  const links: Record<string, string>[] = [];
  const parser = new htmlparser2.Parser(
    {
      onopentag(name, attribs) {
        if (name === 'base' && base === undefined && attribs.href !== undefined) base = attribs.href;
        else if (name === 'link' && attribs.href !== undefined) links.push(attribs);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  let baseUrl = pageUrl;
  try {
    if (base) baseUrl = new URL(base, pageUrl).href;
  } catch {
    // A broken <base> is ignored; links resolve against the page.
  }
  const found: string[] = [];
  for (const link of links) {
    const rel = (link.rel ?? '').toLowerCase().split(/\s+/);
    const type = (link.type ?? '').trim();
    if (!rel.includes('alternate') || !FEED_TYPES.test(type)) continue;
    try {
      const href = new URL(link.href ?? '', baseUrl).href;
      if (!found.includes(href)) found.push(href);
    } catch {
      // Unresolvable href: not worth naming.
    }
  }
  return found;
}
