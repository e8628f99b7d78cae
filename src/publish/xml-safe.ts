// String hygiene for the feed renderers. The `feed` package (via xml-js) writes strings as given:
// it does not drop characters XML 1.0 forbids, escapes only `"` in attributes, and splits only the
// first `]]>` of a CDATA section. These helpers close those gaps before strings reach it.

// Everything outside XML 1.0's Char production, lone surrogates included (matched per code point).
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters XML 1.0 does not allow anywhere in a document. */
export function stripXmlInvalid(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/**
 * Prepares text for xml-js's CDATA writer, which rewrites only the first `]]>`: every later one is
 * split into two sections here, so the output carries each `]]>` as text and stays well-formed.
 */
export function cdataSafe(text: string): string {
  const first = text.indexOf(']]>');
  if (first < 0) return text;
  const head = text.slice(0, first + 3);
  return head + text.slice(first + 3).replaceAll(']]>', ']]]]><![CDATA[>');
}

/** Escapes an attribute value for xml-js, which itself only turns `"` into `&quot;`. */
export function xmlAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Full escape for text and attribute values written by hand (OPML, index page). */
export function escapeXml(text: string): string {
  return stripXmlInvalid(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Plain text for an RSS element readers may treat as HTML (titles, dc:creator, category): `&`, `<`
 * and `>` as entities, so the element's value holds no markup whichever way it is read (feedparser
 * reports it as text/html that displays the original characters). Other characters stay as they are.
 */
export function rssPlainText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text as HTML (Atom `type="html"` titles and summaries, RSS descriptions). */
export const escapeHtml = escapeXml;
