// Entry point for decoded feed text: JSON Feed, RSS/Atom, or an HTML page where a feed was expected.
import { ParseError } from '../../errors.js';
import type { ParsedDocument } from '../../types.js';
import { parseJsonFeed } from './parse-json-feed.js';
import { parseXmlFeed } from './parse-xml-feed.js';
import { advertisedFeeds, looksLikeHtml, preflightXml, PreflightRefusal } from './xml-preflight.js';

/**
 * Parses one feed document (already decoded to text). Bad items or fields are dropped with a
 * warning; a document that is not a feed at all throws ParseError naming `feedUrl`.
 */
export async function parseFeed(text: string, feedUrl: string): Promise<ParsedDocument> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed) throw new ParseError(feedUrl, 'empty document');
  if (trimmed.startsWith('{')) return parseJsonFeed(trimmed, feedUrl);
  if (looksLikeHtml(trimmed)) throw notAFeed(trimmed, feedUrl);

  let prepared;
  try {
    prepared = preflightXml(trimmed);
  } catch (error) {
    if (error instanceof PreflightRefusal) throw new ParseError(feedUrl, error.message);
    throw error;
  }
  try {
    return await parseXmlFeed(prepared.text, feedUrl, prepared.warnings);
  } catch (error) {
    // Loose HTML (no doctype, leading junk) often fails as XML: report it as the page it is.
    if (error instanceof ParseError && /<html[\s>]/i.test(trimmed.slice(0, 4096))) throw notAFeed(trimmed, feedUrl);
    throw error;
  }
}

/** An HTML page where a feed was expected, with the feed URLs it advertises (what discovery follows). */
export class HtmlPageError extends ParseError {
  constructor(
    feedUrl: string,
    readonly advertised: string[],
  ) {
    super(feedUrl, `not a feed (HTML page)${advertised.length ? `; it advertises ${advertised.join(', ')}` : '; it advertises no feed'}`);
  }
}

function notAFeed(html: string, feedUrl: string): HtmlPageError {
  return new HtmlPageError(feedUrl, advertisedFeeds(html, feedUrl));
}
