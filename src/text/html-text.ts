// Text of cleaned HTML: what is measured (the fullest body), summarized and indexed for search.

/** Control characters (C0 but whitespace, DEL, C1) plus zero-width space and BOM. */
export const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b\ufeff]/g;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '';
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Block boundaries become spaces so paragraphs do not run together (cleaned HTML: lower-case tags). */
const BLOCK_TAG = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|thead|tbody|tfoot|caption|blockquote|pre|figure|figcaption)\b[^>]*>/g;

/** Text of cleaned HTML (our own output: attribute values escape `>`, so `<[^>]*>` is exact). */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(BLOCK_TAG, ' ').replace(/<[^>]*>/g, ''))
    .replace(CONTROL, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Length of the visible text of an HTML body in code points: the measure of "fullest". */
export function textLength(html: string): number {
  return codePoints(htmlToText(html));
}

/** Code points in a string (a surrogate pair counts once), without splitting it. */
export function codePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) pairs++;
  }
  return text.length - pairs;
}
