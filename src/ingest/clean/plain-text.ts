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

/**
 * A title as plain text: tags stripped, entities decoded, control characters removed, whitespace collapsed.
 * Only complete elements are markup (see `literalStrayTags`): `<b>x</b>` reads `x`, but the `<script>` of
 * "The Fed's <script> & R&D question" is text a person wrote, kept with everything after it.
 */
export function plainTitle(text: string): string {
  if (!text) return '';
  // sanitize-html decodes every entity while parsing and re-escapes only & < > "; undo those four.
  const stripped = /[<&]/.test(text)
    ? sanitizeHtml(literalStrayTags(text), TEXT_ONLY).replace(/&(?:amp|lt|gt|quot);/g, (e) => MINIMAL_ENTITY[e]!)
    : text;
  return oneLineText(stripped);
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const TITLE_MARKUP = /<!--[\s\S]*?-->|<(\/?)([a-z][a-z0-9:-]*)(?:[\s/][^<>]*)?>|</gi;

/**
 * A title with every `<` that does not open a complete element escaped as `&lt;`. A title is a line of text,
 * not a document: an HTML parser reads an unclosed `<script>` (or `<angled>`) as an element holding the rest
 * of the line, and the title loses everything after it. So a tag is markup only when its element is complete
 * here — an open tag with its close tag later (innermost first), a void (`<br>`) or self-closed (`<x/>`) tag,
 * a comment; any other `<` (`<angled>`, a lone `</b>`, `a < b`) is text and shown as written.
 */
export function literalStrayTags(text: string): string {
  const tokens: { index: number; markup: boolean }[] = [];
  const open: { token: number; name: string }[] = [];
  // Where each name is open on `open`, innermost last: a close tag finds its element without a scan of the stack
  // (a hostile title of thousands of tags stays linear).
  const openAt = new Map<string, number[]>();
  for (const match of text.matchAll(TITLE_MARKUP)) {
    const [whole, slash, rawName] = match;
    const token = tokens.push({ index: match.index, markup: false }) - 1;
    if (whole.startsWith('<!--')) tokens[token]!.markup = true;
    if (rawName === undefined) continue;
    const name = rawName.toLowerCase();
    if (!slash && (VOID_ELEMENTS.has(name) || whole.endsWith('/>'))) tokens[token]!.markup = true;
    else if (!slash) {
      const at = openAt.get(name);
      if (at) at.push(open.length);
      else openAt.set(name, [open.length]);
      open.push({ token, name });
    } else {
      const at = openAt.get(name)?.at(-1);
      if (at === undefined) continue;
      // Elements opened inside and never closed stay text; the pair itself is markup.
      tokens[open[at]!.token]!.markup = true;
      tokens[token]!.markup = true;
      while (open.length > at) openAt.get(open.pop()!.name)!.pop();
    }
  }
  let out = '';
  let from = 0;
  for (const { index, markup } of tokens) {
    if (markup) continue;
    out += `${text.slice(from, index)}&lt;`;
    from = index + 1;
  }
  return out + text.slice(from);
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
