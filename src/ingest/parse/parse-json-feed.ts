// JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) into the shared ParsedDocument shape.
import { ParseError } from '../../errors.js';
import type { ParsedDocument, RawItem } from '../../types.js';
import { jsonAttachments } from './enclosures.js';
import { absoluteUrl, escapeHtml } from './feed-values.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
/** JSON Feed ids may be numbers in the wild though the spec says string. */
const idOf = (v: unknown): string | undefined => (typeof v === 'number' ? String(v) : str(v));

export function parseJsonFeed(text: string, feedUrl: string): ParsedDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ParseError(feedUrl, `malformed JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(data) || !Array.isArray(data.items)) {
    throw new ParseError(feedUrl, 'not a feed (JSON without an "items" array)');
  }
  const warnings: string[] = [];
  const version = str(data.version);
  if (!version || !/^(?:https?:\/\/jsonfeed\.org\/version\/)?1(?:\.\d)?$/.test(version)) {
    warnings.push(`JSON Feed version missing or unknown (${version ?? 'none'}); read as 1.1`);
  }
  const feedAuthor = authorName(data);
  const siteUrl = absoluteUrl(str(data.home_page_url), feedUrl);
  const items: RawItem[] = [];
  data.items.forEach((entry, index) => {
    if (!isObject(entry)) {
      warnings.push(`item ${index + 1}: not an object; dropped`);
      return;
    }
    const link = absoluteUrl(str(entry.url) ?? str(entry.external_url), feedUrl);
    const html = str(entry.content_html) ?? textAsHtml(str(entry.content_text)) ?? textAsHtml(str(entry.summary));
    const images = [str(entry.image), str(entry.banner_image)]
      .map((u) => absoluteUrl(u, feedUrl))
      .filter((u): u is string => Boolean(u));
    const tags = Array.isArray(entry.tags) ? entry.tags.map(str).filter((t): t is string => Boolean(t)) : [];
    const title = str(entry.title);
    items.push({
      // JSON Feed 1.1: `title` is plain text (HTML goes in content_html), so `<tags> &amp;` is what it says.
      title,
      ...(title === undefined ? {} : { titleIsText: true }),
      link,
      guid: idOf(entry.id),
      published: str(entry.date_published),
      updated: str(entry.date_modified),
      author: authorName(entry) ?? feedAuthor,
      categories: tags.length ? tags : undefined,
      images: images.length ? images : undefined,
      enclosures: jsonAttachments(entry.attachments, feedUrl),
      html,
    });
  });
  return { title: str(data.title), link: siteUrl, items, warnings };
}

/** 1.1 `authors[0].name`, else 1.0 `author.name`. */
function authorName(obj: Json): string | undefined {
  if (Array.isArray(obj.authors)) {
    for (const a of obj.authors) if (isObject(a) && str(a.name)) return str(a.name);
  }
  return isObject(obj.author) ? str(obj.author.name) : undefined;
}

function textAsHtml(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}
