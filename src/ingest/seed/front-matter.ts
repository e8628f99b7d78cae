// Front matter of Hexo-crawler articles: split from the body, parsed with `yaml`, and when that fails
// (unquoted `@` titles, titles over several lines, quote runs) recovered line by line.
import { parse as parseYaml } from 'yaml';

export interface FrontMatterSplit {
  /** The text between the `---` fences, or null when the file has none. */
  yaml: string | null;
  body: string;
  /** True when an opening `---` had no closing fence (everything after it was read as front matter). */
  unclosed: boolean;
}

/**
 * Splits front matter from body; a BOM and blank lines before the opening `---` are allowed. Walks the lines up to
 * the closing fence only: the body is the rest of the text as it is, not split into lines and joined again.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  /** The line starting at `from` and where the next one starts (past the end: no next line). */
  const lineAt = (from: number): [string, number] => {
    const end = source.indexOf('\n', from);
    return end === -1 ? [source.slice(from), source.length + 1] : [source.slice(from, end), end + 1];
  };
  let [line, next] = lineAt(0);
  while (next <= source.length && line.replace(/^\uFEFF/, '').trim() === '') [line, next] = lineAt(next);
  if (!/^---\s*$/.test(line)) return { yaml: null, body: source, unclosed: false };
  const yamlStart = next;
  while (next <= source.length) {
    const fence = next;
    [line, next] = lineAt(fence);
    if (/^(?:---|\.\.\.)\s*$/.test(line)) return { yaml: source.slice(yamlStart, fence - 1), body: source.slice(next), unclosed: false };
  }
  return { yaml: source.slice(yamlStart), body: '', unclosed: true };
}

/** Front-matter values as found: strings, numbers, lists, Dates; keys lower-cased. */
export type FrontMatterData = Record<string, unknown>;

export interface FrontMatterResult {
  data: FrontMatterData;
  /** True when YAML failed and the values were recovered line by line. */
  recovered: boolean;
  /** The YAML error message when it failed. */
  yamlError: string | null;
}

/** Parses front matter with `yaml`; on failure (or a non-mapping result) recovers it line by line. */
export function parseFrontMatter(yamlText: string): FrontMatterResult {
  // The line-by-line reading, only when it is needed: YAML failed, or one of the title fix-ups below may apply.
  let recoveredData: FrontMatterData | undefined;
  const recovered = (): FrontMatterData => (recoveredData ??= recoverFrontMatter(yamlText));
  try {
    const parsed: unknown = parseYaml(yamlText, { uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    if (parsed === null || parsed === undefined) return { data: recovered(), recovered: true, yamlError: null };
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { data: recovered(), recovered: true, yamlError: 'front matter is not a mapping' };
    }
    const data: FrontMatterData = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) data[key.toLowerCase()] = value;
    // YAML read the title as a list or mapping (`title: [Update] …`, `title: a: b`): the line is the title.
    if (data.title !== undefined && !isScalar(data.title) && typeof recovered().title === 'string') {
      data.title = recovered().title;
    }
    // `title: C# #1 tips` — YAML drops ` #1 tips` as a comment; a title has no comments. Without a `#` in the front
    // matter there is no comment to restore (and the line-by-line reading is skipped: most files).
    const line = typeof data.title === 'string' && yamlText.includes('#') ? recovered().title : undefined;
    if (typeof data.title === 'string' && typeof line === 'string' && line.startsWith(`${data.title} #`)) data.title = line;
    return { data, recovered: false, yamlError: null };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    return { data: recovered(), recovered: true, yamlError: message };
  }
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date;
}

const KNOWN_KEYS = new Set([
  'title', 'date', 'updated', 'categories', 'category', 'tags', 'tag', 'author', 'comments', 'headimg', 'thumbnail',
  'cover', 'link', 'url', 'permalink', 'layout', 'excerpt', 'description', 'keywords', 'lang', 'toc', 'top',
  'sticky', 'id', 'slug', 'photos', 'published', 'draft', 'source',
]);

const KEY_LINE = /^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*)|[ \t]*)$/;

/**
 * Line-by-line reading for front matter YAML rejects: `key: rest of line` scalars (a value running
 * over following lines that are not `key:` lines joins them with a space), and `- item` lists,
 * nested ones (` -  - x`) flattened, under an empty `key:`.
 */
export function recoverFrontMatter(yamlText: string): FrontMatterData {
  const data: FrontMatterData = {};
  let currentKey: string | null = null;
  let currentList: string[] | null = null;
  for (const rawLine of yamlText.split('\n')) {
    const line = rawLine.replace(/\s+$/, '');
    let keyMatch = /^\s/.test(line) ? null : KEY_LINE.exec(line);
    // Inside a title running over lines, `Breaking: …` is more of the title, not a key.
    if (keyMatch && currentKey === 'title' && typeof data.title === 'string' && !KNOWN_KEYS.has((keyMatch[1] ?? '').toLowerCase())) {
      keyMatch = null;
    }
    if (keyMatch) {
      currentKey = (keyMatch[1] ?? '').toLowerCase();
      const value = (keyMatch[2] ?? '').trim();
      if (value === '') {
        currentList = [];
        data[currentKey] = currentList;
      } else {
        currentList = null;
        data[currentKey] = inlineValue(value);
      }
      continue;
    }
    if (currentKey === null || line.trim() === '' || /^\s*#/.test(line)) continue;
    const item = /^\s*-(?:\s+(.*)|$)/.exec(line);
    if (currentList && item) {
      const text = dropUnbalancedQuotes(unquoteScalar(stripListMarkers(item[1] ?? '')));
      if (text !== '') currentList.push(text);
      continue;
    }
    // Continuation of a scalar running over several lines.
    const previous = data[currentKey];
    const continuation = line.trim();
    if (typeof previous === 'string') data[currentKey] = `${previous} ${continuation}`;
    else if (Array.isArray(previous) && previous.length === 0) {
      data[currentKey] = continuation;
      currentList = null;
    }
  }
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value) && value.length === 0) data[key] = null;
    else if (typeof value === 'string') data[key] = dropUnbalancedQuotes(unquoteScalar(value));
  }
  return data;
}

const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [["'", "'"], ['"', '"'], ['\u201C', '\u201D'], ['\u2018', '\u2019']];

/**
 * A recovered value opening or closing a quote it never closes or opened (`'unterminated quote`) loses that
 * quote: it was the YAML quoting that failed, not the text. Balanced quotes and apostrophes inside stay.
 */
export function dropUnbalancedQuotes(value: string): string {
  let text = value.trim();
  for (const [open, close] of QUOTE_PAIRS) {
    const opens = text.split(open).length - 1;
    const closes = open === close ? opens : text.split(close).length - 1;
    const unbalanced = open === close ? opens % 2 === 1 : opens !== closes;
    if (!unbalanced) continue;
    if (text.startsWith(open) && (open === close || opens > closes)) text = text.slice(open.length).trim();
    else if (text.endsWith(close) && (open === close || closes > opens)) text = text.slice(0, -close.length).trim();
  }
  return text;
}

/** ` -  - x` nests lists; the crawler's nesting carries no meaning for us. */
function stripListMarkers(text: string): string {
  return text.replace(/^(?:-\s+)+/, '').trim();
}

/** `[a, b]` flow lists become arrays; anything else stays the raw text. */
function inlineValue(value: string): string | string[] {
  if (/^\[.*\]$/.test(value) && !/^\[[^\]]*\]\(/.test(value)) {
    try {
      const parsed: unknown = parseYaml(value, { logLevel: 'error' });
      if (Array.isArray(parsed)) return parsed.map((v) => String(v));
    } catch {
      // fall through: keep the raw text
    }
    return value.slice(1, -1).split(',').map((v) => unquoteScalar(v.trim())).filter((v) => v !== '');
  }
  // `[a, b` — a flow list never closed: its items are still the list.
  if (/^\[[^\]]*$/.test(value)) return value.slice(1).split(',').map((v) => dropUnbalancedQuotes(unquoteScalar(v.trim()))).filter((v) => v !== '');
  return value;
}

/** A whole single- or double-quoted YAML scalar is unquoted; anything else is returned as-is. */
function unquoteScalar(value: string): string {
  const text = value.trim();
  if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') return parsed;
    } catch {
      return text.slice(1, -1);
    }
  }
  return text;
}

const QUOTES = `"'\u201C\u201D\u2018\u2019`;

/**
 * Strips the quote runs a crawler wraps titles in (`"""""""'…'"""""""`, `''…''`, `"…"`): both ends must
 * carry quotes, and a single pair is only removed when the inside has no quote of that kind.
 */
export function stripQuoteRuns(title: string): string {
  const text = title.trim();
  const lead = /^["'\u201C\u201D\u2018\u2019\s]+/.exec(text)?.[0] ?? '';
  const trail = /["'\u201C\u201D\u2018\u2019\s]+$/.exec(text)?.[0] ?? '';
  const leadQuotes = [...lead].filter((c) => QUOTES.includes(c));
  const trailQuotes = [...trail].filter((c) => QUOTES.includes(c));
  if (lead.length >= text.length) return ''; // nothing but quotes: no title
  if (leadQuotes.length === 0 || trailQuotes.length === 0) return text;
  const inner = text.slice(lead.length, text.length - trail.length);
  if (leadQuotes.length === 1 && trailQuotes.length === 1) {
    const pairs: Record<string, string> = { '"': '"', "'": "'", '\u201C': '\u201D', '\u2018': '\u2019' };
    const open = leadQuotes[0] ?? '';
    const close = trailQuotes[0] ?? '';
    if (pairs[open] !== close || inner.includes(open) || inner.includes(close)) return text;
  }
  return inner.trim();
}
