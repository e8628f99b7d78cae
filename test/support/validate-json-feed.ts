// JSON Feed 1.1 check (https://www.jsonfeed.org/version/1.1/): the schema's required fields and types,
// written by hand because no JSON Schema package is installed. Returns the list of problems.
type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUrl = (v: Json): boolean => typeof v === 'string' && URL.canParse(v);
const isDate = (v: Json): boolean => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v);

function checkAuthors(where: string, value: Json, problems: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) return void problems.push(`${where}.authors: not an array`);
  value.forEach((a, i) => {
    if (!isObject(a)) return void problems.push(`${where}.authors[${i}]: not an object`);
    if (a['name'] === undefined && a['url'] === undefined && a['avatar'] === undefined) problems.push(`${where}.authors[${i}]: empty author`);
    if (a['name'] !== undefined && typeof a['name'] !== 'string') problems.push(`${where}.authors[${i}].name: not a string`);
    for (const k of ['url', 'avatar']) if (a[k] !== undefined && !isUrl(a[k])) problems.push(`${where}.authors[${i}].${k}: not a URL`);
  });
}

export function validateJsonFeed(text: string): string[] {
  const problems: string[] = [];
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  if (!isObject(doc)) return ['top level is not an object'];
  if (doc['version'] !== 'https://jsonfeed.org/version/1.1') problems.push(`version: ${String(doc['version'])}`);
  if (typeof doc['title'] !== 'string') problems.push('title: missing or not a string');
  for (const k of ['home_page_url', 'feed_url', 'icon', 'favicon', 'next_url']) {
    if (doc[k] !== undefined && !isUrl(doc[k])) problems.push(`${k}: not a URL`);
  }
  for (const k of ['description', 'user_comment', 'language']) {
    if (doc[k] !== undefined && typeof doc[k] !== 'string') problems.push(`${k}: not a string`);
  }
  checkAuthors('feed', doc['authors'], problems);
  if (doc['hubs'] !== undefined) {
    if (!Array.isArray(doc['hubs'])) problems.push('hubs: not an array');
    else doc['hubs'].forEach((h, i) => {
      if (!isObject(h) || typeof h['type'] !== 'string' || !isUrl(h['url'])) problems.push(`hubs[${i}]: needs type and url`);
    });
  }
  if (!Array.isArray(doc['items'])) return [...problems, 'items: missing or not an array'];
  const ids = new Set<string>();
  doc['items'].forEach((item, i) => {
    const at = `items[${i}]`;
    if (!isObject(item)) return void problems.push(`${at}: not an object`);
    const id = item['id'];
    if (typeof id !== 'string' || id === '') problems.push(`${at}.id: missing or not a string`);
    else if (ids.has(id)) problems.push(`${at}.id: duplicate ${id}`);
    else ids.add(id);
    if (typeof item['content_html'] !== 'string' && typeof item['content_text'] !== 'string') {
      problems.push(`${at}: needs content_html or content_text`);
    }
    for (const k of ['url', 'external_url', 'image', 'banner_image']) {
      if (item[k] !== undefined && !isUrl(item[k])) problems.push(`${at}.${k}: not a URL`);
    }
    for (const k of ['title', 'summary', 'content_html', 'content_text', 'language']) {
      if (item[k] !== undefined && typeof item[k] !== 'string') problems.push(`${at}.${k}: not a string`);
    }
    for (const k of ['date_published', 'date_modified']) {
      if (item[k] !== undefined && !isDate(item[k])) problems.push(`${at}.${k}: not an RFC 3339 date`);
    }
    if (item['tags'] !== undefined && !(Array.isArray(item['tags']) && item['tags'].every((t) => typeof t === 'string'))) {
      problems.push(`${at}.tags: not an array of strings`);
    }
    checkAuthors(at, item['authors'], problems);
    if (item['attachments'] !== undefined) {
      if (!Array.isArray(item['attachments'])) problems.push(`${at}.attachments: not an array`);
      else item['attachments'].forEach((a, j) => {
        if (!isObject(a) || !isUrl(a['url']) || typeof a['mime_type'] !== 'string') problems.push(`${at}.attachments[${j}]: needs url and mime_type`);
      });
    }
  });
  return problems;
}
