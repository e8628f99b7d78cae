// Plain text from markup: titles (DESIGN §5: entities decoded, tags stripped, whitespace collapsed) and
// the summary of a cleaned body.
import sanitizeHtml from 'sanitize-html';
import { CONTROL, htmlToText } from '../../text/html-text.js';

export { htmlToText };

const TEXT_ONLY: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'iframe', 'svg', 'math', 'template'],
};

const MINIMAL_ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

/** Text that is text already (Atom type="text" titles): control characters removed, whitespace collapsed. */
export function oneLineText(text: string): string {
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** A title as plain text: tags stripped, entities decoded, control characters removed, whitespace collapsed. */
export function plainTitle(text: string): string {
  if (!text) return '';
  // sanitize-html decodes every entity while parsing and re-escapes only & < > "; undo those four.
  const stripped = /[<&]/.test(text)
    ? sanitizeHtml(text, TEXT_ONLY).replace(/&(?:amp|lt|gt|quot);/g, (e) => MINIMAL_ENTITY[e]!)
    : text;
  return oneLineText(stripped);
}

const SPACE = /\s/;
/** Letters written with spaces between words (Han and kana are cut anywhere). */
const WORD_CHAR = /[\p{L}\p{N}_'’-]/u;
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const TRAILING = /[\s,;:.、，；：。!?！？…·—-]+$/u;

/**
 * Plain-text summary of cleaned HTML, at most `maxChars` characters (code points) including the
 * ellipsis; cut at a word boundary in spaced scripts, at a character boundary otherwise.
 */
export function summarize(cleanHtml: string, maxChars = 280): string {
  // Only the start matters: read growing prefixes until the text runs past the budget.
  const enough = maxChars * 2 + 2; // UTF-16 units that surely hold maxChars + 1 code points
  let text = '';
  for (let window = maxChars * 4; ; window *= 4) {
    const whole = window >= cleanHtml.length;
    text = htmlToText(whole ? cleanHtml : cleanHtml.slice(0, window).replace(/<[^>]*$/, ''));
    if (whole || text.length >= enough) break;
  }
  if (text.length <= maxChars) return text; // UTF-16 length ≥ code points
  const chars = Array.from(text.slice(0, enough));
  if (chars.length <= maxChars) return text;
  const limit = Math.max(1, maxChars - 1);
  let end = limit;
  const next = chars[limit]!;
  const last = chars[limit - 1]!;
  if (!SPACE.test(next) && WORD_CHAR.test(last) && !NO_SPACE_SCRIPT.test(last)) {
    // Mid-word: back up to the last space, unless that would throw away most of the budget.
    let i = limit - 1;
    while (i > 0 && !SPACE.test(chars[i]!)) i--;
    if (i >= limit * 0.5) end = i;
  }
  return chars.slice(0, end).join('').replace(TRAILING, '') + '…';
}

/** Runs of blank lines and indentation left by removed markup become one newline (<pre> untouched). */
export function collapseWhitespace(html: string): string {
  const collapse = (s: string): string =>
    s.replace(/[ \t\r\f\n]{2,}|[\t\r\f]/g, (run) => (run.includes('\n') ? '\n' : ' '));
  // Only ASCII whitespace: ideographic-space indentation (　　) is content.
  const trim = (s: string): string => s.replace(/^[ \t\r\f\n]+|[ \t\r\f\n]+$/g, '');
  if (!html.includes('<pre')) return trim(collapse(html));
  return trim(
    html
      .split(/(<pre>[\s\S]*?<\/pre>)/)
      .map((part, i) => (i % 2 ? part : collapse(part)))
      .join(''),
  );
}
