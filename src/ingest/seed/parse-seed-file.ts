// One seed article (Hexo-crawler Markdown/HTML with YAML front matter) to a RawItem. Pure: the
// caller reads the file and passes its text, relative path and modification time.
import { ParseError } from '../../errors.js';
import type { RawItem } from '../../types.js';
import { parseFrontMatter, splitFrontMatter, stripQuoteRuns, type FrontMatterData } from './front-matter.js';
import { plainTitle } from '../clean/plain-text.js';
import { parseDate } from '../parse/parse-date.js';
import { renderSeedBody } from './seed-body.js';

export interface SeedFileInput {
  /** Path relative to the seed folder, `/`-separated; names the file in warnings and errors. */
  relPath: string;
  mtime: Date;
  /** IANA zone for zone-less dates (`seedFolder.timezone`). */
  timezone: string;
}

export interface ParsedSeedFile {
  item: RawItem;
  warnings: string[];
  /** True when the front-matter date was missing or unusable and the file's mtime was used. */
  dateFromMtime: boolean;
  /**
   * Set when the YAML failed and the front matter was recovered line by line: what was recovered and why,
   * e.g. `front matter recovered line by line (title, categories; date: file time) after a YAML error: …`;
   * or when a date is written but cannot be read, so the file's time stands in for it.
   */
  recovered: string | null;
}

/**
 * Reads one seed file. A file whose YAML fails still yields an article when a title can be recovered;
 * only a file with no recoverable title throws a ParseError naming it.
 */
export function parseSeedFile(text: string, input: SeedFileInput): ParsedSeedFile {
  const { relPath } = input;
  const warnings: string[] = [];
  const split = splitFrontMatter(text);
  let data: FrontMatterData = {};
  let yamlError: string | null = null;
  if (split.yaml === null) {
    warnings.push(`${relPath}: no front matter`);
  } else {
    if (split.unclosed) warnings.push(`${relPath}: front matter has no closing ---`);
    const parsed = parseFrontMatter(split.yaml);
    data = parsed.data;
    if (parsed.recovered && parsed.yamlError) {
      yamlError = parsed.yamlError;
      warnings.push(`${relPath}: invalid YAML front matter (${parsed.yamlError}); fields recovered line by line`);
    }
  }

  const body = renderSeedBody(split.body);
  const declaredTitle = readTitle(data.title);
  const title = declaredTitle ?? titleFromBody(body.html);
  if (!title) throw new ParseError(relPath, 'no recoverable title in front matter, nor a # heading or <h1> in the body');

  let published = parseDate(dateValue(data.date), input.timezone);
  const dateFromMtime = published === null;
  let unreadDate: string | null = null;
  if (published === null) {
    const raw = dateValue(data.date);
    const shown = raw === undefined ? 'missing' : `unusable (${JSON.stringify(String(raw))})`;
    warnings.push(`${relPath}: date ${shown}; using the file's modification time`);
    // A date the author wrote is theirs to fix, so it is reported like a recovery; a missing or blank one, or the
    // crawler's literal `Invalid Date`, is the documented fallback.
    if (raw !== undefined && !/^\s*(invalid date)?\s*$/i.test(String(raw))) {
      unreadDate = `date ${JSON.stringify(String(raw))} is not a date this reads (use e.g. 2026-12-03 14:00 or an RFC 822 date); using the file's modification time`;
    }
    published = input.mtime;
  }
  const updated = parseDate(dateValue(data.updated), input.timezone);

  const item: RawItem = {
    title,
    // A heading's title is text already (its markup read once here); the front matter's is read in normalize.
    ...(declaredTitle === undefined ? { titleIsText: true } : {}),
    published,
    author: readText(data.author),
    categories: readCategories(data.categories ?? data.category),
    images: dedupe([readText(data.headimg), readText(data.thumbnail), readText(data.cover)]),
    html: body.html,
  };
  if (updated) item.updated = updated;
  const link = [data.link, data.url, data.permalink].map(readText).find((v) => v !== undefined && isHttpUrl(v));
  if (link) item.link = link;
  return { item, warnings, dateFromMtime, recovered: yamlError === null ? unreadDate : recoveryNote(data, item, dateFromMtime, yamlError) };
}

/** What line-by-line recovery gave: the fields it read, and the date fallback when it gave no date. */
function recoveryNote(data: FrontMatterData, item: RawItem, dateFromMtime: boolean, yamlError: string): string {
  const fields: string[] = [];
  if (data.title !== undefined && data.title !== null) fields.push('title');
  if ((item.categories ?? []).length > 0) fields.push('categories');
  if (!dateFromMtime) fields.push('date');
  const recovered = fields.length ? fields.join(', ') : 'no field';
  const date = dateFromMtime ? '; date: file time' : '';
  return `front matter recovered line by line (${recovered}${date}) after a YAML error: ${yamlError}`;
}

function readTitle(value: unknown): string | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  const title = stripQuoteRuns(text.replace(/\s+/g, ' ')).trim();
  return title === '' ? undefined : title;
}

/**
 * Without a title in the front matter (or without front matter), the body's first <title> or <h1> names the article,
 * read from the rendered body: a Markdown `# heading` is one, a `# comment` line in a code block is not.
 */
function titleFromBody(html: string): string | undefined {
  const inner = /<(title|h1)\b[^>]*>([\s\S]*?)<\/\1>/i.exec(html)?.[2];
  // As a title, not as a body: `# Tom & <angled> title` keeps `<angled>`, which is no complete element.
  const text = inner === undefined ? '' : plainTitle(inner);
  return text || undefined;
}

function dateValue(value: unknown): string | Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function readText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}

/** Categories: a list or a string; nested lists flattened, Markdown links reduced to their text, blanks dropped. */
export function readCategories(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      // `- 科技: 手机` is a one-entry mapping in YAML; the crawler meant the text.
      for (const [key, inner] of Object.entries(v as Record<string, unknown>)) {
        const innerText = readText(inner);
        visit(innerText === undefined ? key : `${key}: ${innerText}`);
      }
    } else {
      const text = readText(v);
      if (text !== undefined) out.push(text.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\s+/g, ' ').trim());
    }
  };
  visit(value);
  return dedupe(out);
}

function dedupe(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
