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

// The names HTML still reads as character references without a `;` (`&copy 2026` shows `© 2026`).
const LEGACY_REFERENCES =
  'AElig|AMP|Aacute|Acirc|Agrave|Aring|Atilde|Auml|COPY|Ccedil|ETH|Eacute|Ecirc|Egrave|Euml|GT|Iacute|Icirc|' +
  'Igrave|Iuml|LT|Ntilde|Oacute|Ocirc|Ograve|Oslash|Otilde|Ouml|QUOT|REG|THORN|Uacute|Ucirc|Ugrave|Uuml|Yacute|' +
  'aacute|acirc|acute|aelig|agrave|amp|aring|atilde|auml|brvbar|ccedil|cedil|cent|copy|curren|deg|divide|eacute|' +
  'ecirc|egrave|eth|euml|frac12|frac14|frac34|gt|iacute|icirc|iexcl|igrave|iquest|iuml|laquo|lt|macr|micro|' +
  'middot|nbsp|not|ntilde|oacute|ocirc|ograve|ordf|ordm|oslash|otilde|ouml|para|plusmn|pound|quot|raquo|reg|sect|' +
  'shy|sup1|sup2|sup3|szlig|thorn|times|uacute|ucirc|ugrave|uml|uuml|yacute|yen|yuml';
// An `&` that a reader decoding HTML would read as the start of a character reference.
const REFERENCE_START = new RegExp(`&(?=#|[A-Za-z][A-Za-z0-9]*;|(?:${LEGACY_REFERENCES}))`, 'g');

/**
 * Plain text for an RSS element readers may treat as HTML (titles, dc:creator, category). RSS has no
 * type for text: newsboat shows it verbatim, feedparser and web readers as HTML. So `<` and `>` are
 * entities (no markup whichever way it is read), and an `&` only where HTML would read a character
 * reference (`&copy`, `&#169;`, `&amp;`), as `&#38;` (xml-js, which writes the text elements, would
 * turn an `&amp;` back into `&`). Every other `&` stays as written: `AT&T & Verizon` reads the same in
 * both kinds of reader, where `AT&amp;T` showed as that in newsboat.
 */
export function rssPlainText(text: string): string {
  return text.replace(REFERENCE_START, '&#38;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text as HTML (Atom `type="html"` titles and summaries, RSS descriptions). */
export const escapeHtml = escapeXml;
