// RSS 0.9x / 1.0 (RDF) / 2.0 and Atom 0.3 / 1.0 through rss-parser. rss-parser reads the XML and
// recognizes the format; item fields are then taken from the raw xml2js nodes, because rss-parser
// drops xml:base, media:* and Atom 0.3 dates, and throws on one bad Atom date (guarded per item here).
import Parser from 'rss-parser';
import { ParseError } from '../../errors.js';
import type { ParsedDocument, RawItem } from '../../types.js';
import { absoluteUrl, escapeHtml, rawDate, resolveBase } from './feed-values.js';
import { xmlEnclosures } from './enclosures.js';
import { hasChildElements, itemMarkupInOrder, mixedTitle, type ItemMarkup } from './mixed-text.js';
import { attr, children, first, htmlOf, stringOf, text1, type XNode } from './xml-node.js';

interface ParserInternals {
  parseString(xml: string): Promise<Record<string, unknown>>;
  xmlParser: { parseString(xml: string, cb: (err: unknown, result: unknown) => void): void };
  parseItemAtom(entry: unknown): Record<string, unknown>;
  parseItemRss(item: unknown, fields: unknown): Record<string, unknown>;
}

type Format = 'atom' | 'rss' | 'rdf';

export async function parseXmlFeed(text: string, feedUrl: string, warnings: string[]): Promise<ParsedDocument> {
  const parser = new Parser({ defaultRSS: 2 }) as unknown as ParserInternals;
  // Capture the raw document rss-parser builds from, to read what it does not keep.
  let root: Record<string, unknown> | null = null;
  const xmlParse = parser.xmlParser.parseString.bind(parser.xmlParser);
  parser.xmlParser.parseString = (xml, cb) =>
    xmlParse(xml, (err, result) => {
      if (!err && typeof result === 'object' && result) root = result as Record<string, unknown>;
      cb(err, result);
    });
  // One item that rss-parser cannot build (e.g. `new Date('garbage').toISOString()`) must not sink the feed.
  const failed = new Map<unknown, string>();
  const atom = parser.parseItemAtom.bind(parser);
  parser.parseItemAtom = (entry) => guard(() => atom(entry), entry, failed);
  const rss = parser.parseItemRss.bind(parser);
  parser.parseItemRss = (item, fields) => guard(() => rss(item, fields), item, failed);

  let built: Record<string, unknown> = {};
  try {
    built = await parser.parseString(text);
  } catch (error) {
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ').trim();
    // `root` is only set when the XML itself was well formed: then rss-parser failed building, and the
    // raw document is read directly (e.g. an <rss> without <channel> is an empty feed, not an error).
    if (!root) throw new ParseError(feedUrl, `malformed XML: ${message}`, { cause: error });
    if (!/not recognized as RSS/i.test(message)) warnings.push(`rss-parser could not build the feed (${message}); read from raw fields`);
  }
  if (!root) throw new ParseError(feedUrl, 'malformed XML: empty document');
  const doc: Record<string, unknown> = root;
  const rootName = Object.keys(doc)[0] ?? '';
  if (!['feed', 'rss', 'rdf:RDF'].includes(rootName)) {
    throw new ParseError(feedUrl, `not a feed (XML root element <${rootName}>)`);
  }

  const { format, top, channel, entries } = locate(doc);
  const hasXmlBase = text.includes('xml:base');
  const feedBase = resolveBase(attr(top, 'xml:base'), resolveBase(attr(channel, 'xml:base'), feedUrl));
  const feedAuthor = format === 'atom' ? personName(first(channel, 'author')) : undefined;
  const builtItems = Array.isArray(built.items) ? (built.items as Record<string, unknown>[]) : [];

  // Titles and bodies with child elements (xhtml, unescaped markup) need their markup in document order, which
  // xml2js does not keep (rss-parser's markup for them puts `a <b>b</b> c` as `a c<b>b</b>`).
  let orderedMarkup: ItemMarkup[] | null = null;
  // Matched to xml2js's entries by position: when the two readers disagree on the entries, none is used.
  const markupOf = (index: number): ItemMarkup | undefined =>
    (orderedMarkup ??= ((items) => (items.length === entries.length ? items : []))(itemMarkupInOrder(text)))[index];

  const items: RawItem[] = [];
  entries.forEach((entry, index) => {
    const label = `item ${index + 1}`;
    const problem = failed.get(entry);
    if (problem) warnings.push(`${label}: ${problem}; read from raw fields`);
    try {
      const item =
        format === 'atom'
          ? atomItem(entry, builtItems[index] ?? {}, feedBase, feedAuthor, label, warnings, () => markupOf(index))
          : rssItem(entry, builtItems[index] ?? {}, feedBase, label, warnings, () => markupOf(index));
      if (!hasXmlBase) delete item.baseUrl;
      if (!item.title && !item.link && !item.guid && !item.html) {
        warnings.push(`${label}: no title, link, id or content; dropped`);
        return;
      }
      items.push(item);
    } catch (error) {
      warnings.push(`${label}: ${(error as Error).message}; dropped`);
    }
  });

  const ttl = Number.parseInt(text1(first(channel, 'ttl')) ?? '', 10);
  return {
    title: text1(first(channel, 'title')) ?? text1(first(channel, 'dc:title')),
    link: absoluteUrl(format === 'atom' ? atomLink(channel) : text1(first(channel, 'link')), feedBase),
    items,
    warnings,
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? ttl : undefined,
  };
}

function guard(build: () => Record<string, unknown>, node: unknown, failed: Map<unknown, string>): Record<string, unknown> {
  try {
    return build();
  } catch (error) {
    failed.set(node, (error as Error).message);
    return {};
  }
}

function locate(doc: Record<string, unknown>): { format: Format; top: XNode | undefined; channel: XNode | undefined; entries: XNode[] } {
  if (doc.feed) {
    const feed = doc.feed as XNode;
    return { format: 'atom', top: feed, channel: feed, entries: children(feed, 'entry') };
  }
  if (doc['rdf:RDF']) {
    const rdf = doc['rdf:RDF'] as XNode;
    return { format: 'rdf', top: rdf, channel: first(rdf, 'channel'), entries: children(rdf, 'item') };
  }
  const rss = doc.rss as XNode;
  const channel = first(rss, 'channel');
  return { format: 'rss', top: rss, channel, entries: children(channel, 'item') };
}

function rssItem(
  node: XNode, built: Record<string, unknown>, feedBase: string, label: string, warnings: string[], ordered: () => ItemMarkup | undefined,
): RawItem {
  const base = resolveBase(attr(node, 'xml:base'), feedBase);
  const guidNode = first(node, 'guid');
  const guid = text1(guidNode) ?? attr(node, 'rdf:about');
  const permalink = guidNode && attr(guidNode, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(guid ?? '') ? guid : undefined;
  const link = text1(first(node, 'link')) ?? atomLink(node, 'atom:link') ?? permalink;
  // HTML written unescaped (child elements) is taken from the document in order; rss-parser's markup is the fallback.
  const mixed = (el: XNode | undefined, key: keyof ItemMarkup) => (hasChildElements(el) ? ordered()?.[key] : undefined);
  const encoded = first(node, 'content:encoded');
  const description = first(node, 'description');
  const html = htmlOf(encoded) ?? mixed(encoded, 'content') ?? htmlOf(description) ?? mixed(description, 'summary') ?? stringOf(built.content);
  const categories = [...children(node, 'category'), ...children(node, 'dc:subject')]
    .map(text1)
    .filter((c): c is string => Boolean(c));
  const titleNode = first(node, 'title');
  // Markup left unescaped in an RSS title is read as child elements: read as HTML, all of its text in order.
  const title = hasChildElements(titleNode) ? mixedTitle(titleNode, ordered()?.title) : undefined;
  return {
    title: title?.text ?? text1(titleNode) ?? text1(first(node, 'dc:title')),
    ...(title?.isText ? { titleIsText: true } : {}),
    link: absoluteUrl(link, base),
    guid,
    published: rawDate(text1(first(node, 'pubDate')) ?? text1(first(node, 'dc:date')), `${label} date`, warnings),
    updated: rawDate(text1(first(node, 'atom:updated')) ?? text1(first(node, 'dcterms:modified')), `${label} updated`, warnings),
    author: text1(first(node, 'dc:creator')) ?? text1(first(node, 'author')) ?? text1(first(node, 'itunes:author')),
    categories: categories.length ? categories : undefined,
    images: imagesOf(node, base),
    enclosures: xmlEnclosures(node, base),
    html,
    baseUrl: base,
  };
}

function atomItem(
  node: XNode, built: Record<string, unknown>, feedBase: string, feedAuthor: string | undefined, label: string, warnings: string[],
  ordered: () => ItemMarkup | undefined,
): RawItem {
  const base = resolveBase(attr(node, 'xml:base'), feedBase);
  const content = first(node, 'content');
  const summary = first(node, 'summary');
  // xhtml content (child elements) is serialized from the document in order; rss-parser's markup is the fallback.
  const xhtml = (el: XNode | undefined, key: keyof ItemMarkup) => (hasChildElements(el) ? ordered()?.[key] : undefined);
  const html = atomBody(content) ?? xhtml(content, 'content') ?? stringOf(built.content)
    ?? atomBody(summary) ?? xhtml(summary, 'summary') ?? stringOf(built.summary);
  const contentBase = content ? resolveBase(attr(content, 'xml:base'), base) : base;
  const linkNode = pickAtomLink(node);
  const categories = children(node, 'category')
    .map((c) => attr(c, 'term') ?? text1(c))
    .filter((c): c is string => Boolean(c));
  const title = atomTitle(first(node, 'title'), ordered);
  return {
    title: title?.text,
    titleIsText: title?.isText,
    link: absoluteUrl(linkNode ? attr(linkNode, 'href') : undefined, linkNode ? resolveBase(attr(linkNode, 'xml:base'), base) : base),
    guid: text1(first(node, 'id')),
    published: rawDate(text1(first(node, 'published')) ?? text1(first(node, 'issued')) ?? text1(first(node, 'created')), `${label} published`, warnings),
    updated: rawDate(text1(first(node, 'updated')) ?? text1(first(node, 'modified')), `${label} updated`, warnings),
    author: personName(first(node, 'author')) ?? text1(first(node, 'dc:creator')) ?? feedAuthor,
    categories: categories.length ? categories : undefined,
    images: imagesOf(node, base),
    enclosures: xmlEnclosures(node, base),
    html,
    baseUrl: contentBase,
  };
}

/** How an Atom text construct is written: Atom 1.0 `type`, or Atom 0.3 `type` (a MIME type) and `mode`. */
function atomTextKind(node: XNode | undefined): { base64: boolean; kind: 'text' | 'html' | 'xhtml' } {
  const type = (attr(node, 'type') ?? 'text').toLowerCase();
  const mode = (attr(node, 'mode') ?? '').toLowerCase();
  const kind = type === 'xhtml' || type.includes('xhtml') || hasChildElements(node) ? 'xhtml'
    : type === 'html' || type === 'text/html' || mode === 'escaped' ? 'html'
    : 'text';
  // RFC 4287 §3.1.1.3: a MIME type that is neither text nor XML means base64-encoded content.
  const binary = type.includes('/') && !type.startsWith('text/') && !type.endsWith('/xml') && !type.endsWith('+xml');
  return { base64: mode === 'base64' || binary, kind };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Base64 text decoded as UTF-8; text that does not decode so (`test` typed application/x-custom) stays as written. */
function decodeBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return text;
  try {
    return UTF8.decode(Buffer.from(compact, 'base64'));
  } catch {
    return text;
  }
}

/**
 * An Atom title as text or HTML (RFC 4287 §3.1): `text` is literal (markup in it stays text), `html` is
 * markup to reduce to text once, `xhtml` and titles with child elements are their markup read as HTML (entities
 * decoded once, tags dropped, text in order);
 * Atom 0.3 `mode="base64"` is decoded first.
 */
function atomTitle(node: XNode | undefined, ordered: () => ItemMarkup | undefined): { text: string; isText: boolean } | undefined {
  if (node === undefined) return undefined;
  const { base64, kind } = atomTextKind(node);
  if (kind === 'xhtml') return mixedTitle(node, hasChildElements(node) ? ordered()?.title : undefined);
  const raw = typeof node === 'string' ? node : node._;
  if (typeof raw !== 'string' || !raw.trim()) return undefined;
  const value = base64 ? decodeBase64(raw) : raw;
  return { text: value.trim(), isText: kind === 'text' };
}

/** An Atom content or summary as HTML: base64 decoded, plain text escaped; undefined for xhtml (rss-parser has it). */
function atomBody(node: XNode | undefined): string | undefined {
  const html = htmlOf(node);
  if (html === undefined) return undefined;
  const { base64, kind } = atomTextKind(node);
  const value = base64 ? decodeBase64(html) : html;
  return base64 && kind === 'text' ? escapeHtml(value) : value;
}

/** Atom link: rel="alternate" (or no rel), else the first with an href. */
function pickAtomLink(node: XNode, name = 'link'): XNode | undefined {
  const links = children(node, name).filter((l) => attr(l, 'href'));
  return links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate') ?? links[0];
}

function atomLink(node: XNode | undefined, name = 'link'): string | undefined {
  if (!node) return undefined;
  const l = pickAtomLink(node, name);
  return l ? attr(l, 'href') : undefined;
}

/** Lead image candidates: media:thumbnail, media:content images (also inside media:group), image enclosures. */
function imagesOf(node: XNode, base: string): string[] | undefined {
  const out: string[] = [];
  const add = (u: string | undefined) => {
    const abs = absoluteUrl(u, base);
    if (abs && !out.includes(abs)) out.push(abs);
  };
  const scopes = [node, ...children(node, 'media:group')];
  for (const scope of scopes) for (const t of children(scope, 'media:thumbnail')) add(attr(t, 'url'));
  for (const scope of scopes) {
    for (const m of children(scope, 'media:content')) {
      const type = attr(m, 'type') ?? '';
      if (attr(m, 'medium') === 'image' || type.startsWith('image/')) add(attr(m, 'url'));
    }
  }
  for (const e of children(node, 'enclosure')) if ((attr(e, 'type') ?? '').startsWith('image/')) add(attr(e, 'url'));
  for (const l of children(node, 'link')) {
    if (attr(l, 'rel') === 'enclosure' && (attr(l, 'type') ?? '').startsWith('image/')) add(attr(l, 'href'));
  }
  for (const i of children(node, 'itunes:image')) add(attr(i, 'href'));
  return out.length ? out : undefined;
}

function personName(node: XNode | undefined): string | undefined {
  if (!node) return undefined;
  return text1(first(node, 'name')) ?? (typeof node === 'string' ? text1(node) : undefined);
}
