// The allow-list of the article sanitizer (DESIGN §5) and the element classes the cleaner's hooks use.
import type sanitizeHtml from 'sanitize-html';

export const ALLOWED_TAGS = [
  'p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'b', 'strong', 'i', 'em', 'u', 's', 'sub', 'sup', 'small',
  'mark', 'span', 'div', 'blockquote', 'q', 'pre', 'code', 'hr', 'del', 'ins', 'a', 'img', 'ul', 'ol', 'li',
  'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'figure', 'figcaption',
];
export const ALLOWED = new Set(ALLOWED_TAGS);
export const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'srcset', 'alt', 'title', 'width', 'height'],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
  ol: ['start'],
};
/** Disallowed elements whose content goes with them (the rest are unwrapped). */
export const NON_TEXT_TAGS = [
  'script', 'style', 'textarea', 'option', 'select', 'button', 'xmp', 'plaintext', 'noscript', 'noembed',
  'noframes', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'template', 'canvas',
  'audio', 'video', 'head', 'title',
];
export const NON_TEXT = new Set(NON_TEXT_TAGS);
/** Sectioning elements become <div> so paragraphs keep apart and empty ones can be dropped. */
export const RENAME: Record<string, string> = {
  section: 'div', article: 'div', header: 'div', footer: 'div', aside: 'div', main: 'div', nav: 'div',
  center: 'div', address: 'div', details: 'div', summary: 'div', hgroup: 'div',
};
/** Removed when they hold no text and no image/br/hr. Cells stay so columns keep their place. */
export const REMOVE_WHEN_EMPTY = new Set([
  'p', 'span', 'div', 'a', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'b', 'strong', 'i', 'em', 'u', 's', 'sub', 'sup',
  'small', 'mark', 'q', 'del', 'ins', 'blockquote', 'pre', 'code', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'figure',
  'figcaption', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'caption',
]);
/** Elements whose whole text `dropText` rules look at. */
export const BLOCKS = new Set([
  'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dt', 'dd', 'blockquote', 'pre', 'td', 'th', 'tr',
  'table', 'ul', 'ol', 'dl', 'figure', 'figcaption', 'caption',
]);
export const CONTENT_VOIDS = new Set(['img', 'br', 'hr']);

/** The allow-list alone, as sanitize-html options: also the baseline the ingest benchmark compares with. */
export const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  nonTextTags: NON_TEXT_TAGS,
  parseStyleAttributes: false,
};
