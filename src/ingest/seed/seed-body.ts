// The body of a seed article is HTML or Markdown; decided by content, never rendered blindly:
// Markdown would turn the crawler's 12-space-indented HTML lines into code blocks and its
// comments and <style> into visible text.
import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';

// markdown-it (~8 MB RSS with linkify-it and its tables) is loaded on the first Markdown body, not at startup;
// required rather than imported so renderSeedBody stays synchronous.
const require = createRequire(import.meta.url);

export type SeedBodyFormat = 'html' | 'markdown';

export interface SeedBody {
  html: string;
  format: SeedBodyFormat;
}

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'audio', 'blockquote', 'body', 'br', 'center', 'details', 'dialog', 'dd', 'div',
  'dl', 'dt', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'header',
  'hgroup', 'hr', 'html', 'iframe', 'img', 'li', 'link', 'main', 'meta', 'nav', 'ol', 'p', 'picture', 'pre',
  'script', 'section', 'style', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 'video', 'font', 'span',
]);

/** Decides whether a body is HTML (kept as-is) or Markdown (rendered). */
export function detectBodyFormat(body: string): SeedBodyFormat {
  const text = body.trim();
  if (text === '') return 'html';
  if (startsWithBlockHtml(text)) return hasMarkdownStructure(text) ? 'markdown' : 'html';
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const tagLines = lines.filter((l) => /^<\/?[a-z][\w-]*[\s>/]|^<!--/i.test(l)).length;
  return tagLines / lines.length >= 0.6 ? 'html' : 'markdown';
}

function startsWithBlockHtml(text: string): boolean {
  if (/^<!(?:--|doctype)/i.test(text)) return true;
  const tag = /^<([a-z][a-z0-9]*)[\s>/]/i.exec(text)?.[1]?.toLowerCase();
  return tag !== undefined && BLOCK_TAGS.has(tag);
}

/**
 * A Markdown file may open with an HTML block (a centred banner) and go on in Markdown: ATX headings
 * or code fences at the start of a line outside <pre> say so, or several list/link lines. Crawled HTML has neither.
 */
function hasMarkdownStructure(text: string): boolean {
  const outsidePre = text.replace(/<(pre|code|script|style)\b[\s\S]*?<\/\1>/gi, '');
  if (/^(?:#{1,6}[ \t]+\S|```|~~~)/m.test(outsidePre)) return true;
  // Weaker signs (list items, quotes, [text](url), **bold**) count only when several lines show them.
  const weak = outsidePre
    .split('\n')
    .filter((l) => /^(?:[-*+][ \t]+\S|\d+\.[ \t]+\S|>[ \t])|\]\((?:https?:|\/)|\*\*\S/.test(l)).length;
  return weak >= 3;
}

let markdown: MarkdownIt | null = null;

/** Renders the body to HTML: HTML bodies unchanged (entities such as `&#123;` left to the HTML parser). */
export function renderSeedBody(body: string): SeedBody {
  const format = detectBodyFormat(body);
  if (format === 'html') return { html: body.trim(), format };
  markdown ??= new (require('markdown-it') as typeof MarkdownIt)({ html: true, linkify: true });
  return { html: markdown.render(body), format };
}
