// RFC 4287 rules the RELAX NG schema cannot express (§4.1.1, §4.1.2): every entry has an author
// (its own, or the feed's), ids are unique, at most one alternate link per type (and hreflang), an
// entry without an alternate link has content.
import * as cheerio from 'cheerio';

export function checkAtomRules(xml: string): string[] {
  const $ = cheerio.load(xml, { xml: true });
  const problems: string[] = [];
  const feed = $('feed').first();
  const feedHasAuthor = feed.children('author').length > 0;
  const ids = new Set<string>();
  const alternates = (el: ReturnType<typeof $>, where: string) => {
    const seen = new Set<string>();
    el.children('link').each((_, link) => {
      const rel = $(link).attr('rel') ?? 'alternate';
      if (rel !== 'alternate') return;
      const key = `${$(link).attr('type') ?? ''}|${$(link).attr('hreflang') ?? ''}`;
      if (seen.has(key)) problems.push(`${where}: two alternate links with type/hreflang "${key}"`);
      seen.add(key);
    });
    return seen.size;
  };
  alternates(feed, 'feed');
  if (feed.children('link[rel="self"]').length !== 1) problems.push('feed: needs exactly one rel="self" link');
  feed.children('entry').each((i, entry) => {
    const e = $(entry);
    const where = `entry ${i + 1}`;
    const id = e.children('id').text().trim();
    if (!id) problems.push(`${where}: no id`);
    else if (ids.has(id)) problems.push(`${where}: duplicate id ${id}`);
    ids.add(id);
    if (!feedHasAuthor && e.children('author').length === 0 && e.find('source > author').length === 0) {
      problems.push(`${where}: no author at entry or feed level`);
    }
    if (alternates(e, where) === 0 && e.children('content').length === 0) problems.push(`${where}: neither alternate link nor content`);
    if (e.children('content[src]').length > 0 && e.children('summary').length === 0) problems.push(`${where}: content src without summary`);
  });
  return problems;
}
