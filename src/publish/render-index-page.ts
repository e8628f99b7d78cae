// The HTML index page: categories with counts and subscribe links, autodiscovery links, and the
// state of every source. Plain HTML with a little inline CSS; no script.
import type { ConfigProblems } from '../config/watch-config.js';
import type { CategorySummary, SourceState } from '../types.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, categoryAnchor, feedUrl, opmlUrl, previewUrl, searchPageUrl, type FeedFormat } from './feed-urls.js';
import { escapeHtml } from './xml-safe.js';
import type { FeedSite } from './build-feed.js';

export interface IndexPageInput {
  site: FeedSite;
  /** The `all` pseudo-category (count of every story), when known. */
  all: CategorySummary | null;
  categories: CategorySummary[];
  /** Null when the source status is not public (config `server.publicStatus: false`). */
  sources: SourceState[] | null;
  /** Shown with the sources (to whom may see them): the config file's errors while it is invalid. */
  configProblems?: ConfigProblems | null;
}

const FORMAT_LABEL: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON' };
const mediaType = (format: FeedFormat): string => FEED_CONTENT_TYPES[format].split(';')[0]!;

// On a phone the categories table fits the screen (narrower cell padding), so every subscribe link
// shows without scrolling the table sideways; the .wrap scroller stays for the wide sources table.
const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.wrap{overflow-x:auto}.num{text-align:right}.err{color:#a00;min-width:14rem;overflow-wrap:anywhere}.url{overflow-wrap:anywhere;min-width:10rem}
a{color:#0550ae}ul.feeds{padding-left:1.2rem}
input.copy{width:100%;min-width:12rem;box-sizing:border-box;font:inherit;font-size:.8rem;margin:.1rem 0}
details summary{cursor:pointer}.files{font-size:.85rem;min-width:14rem}.files ul{margin:.2rem 0;padding-left:1.1rem}.files code{overflow-wrap:anywhere}form.search{display:flex;gap:.5rem;flex-wrap:wrap}form.search input[type=search]{flex:1;min-width:10rem;font:inherit}
@media (max-width:32rem){th,td{padding:.35rem .25rem}}`;

function time(date: Date | null): string {
  if (!date) return '—';
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** Links per format, and the URLs in read-only fields to select and copy (no script needed). */
function subscribeLinks(baseUrl: string, slug: string): string {
  const links = FEED_FORMATS.map(
    (f) => `<a href="${escapeHtml(feedUrl(baseUrl, slug, f))}" type="${mediaType(f)}">${FORMAT_LABEL[f]}</a>`,
  ).join(' · ');
  const fields = FEED_FORMATS.map(
    (f) => `<input class="copy" readonly value="${escapeHtml(feedUrl(baseUrl, slug, f))}" aria-label="${FORMAT_LABEL[f]} feed URL">`,
  ).join('');
  return `${links}<details><summary>Copy URL</summary>${fields}</details>`;
}

function alternates(site: FeedSite, slug: string, title: string): string[] {
  return FEED_FORMATS.map(
    (f) =>
      `<link rel="alternate" type="${mediaType(f)}" title="${escapeHtml(`${title} (${FORMAT_LABEL[f]})`)}" href="${escapeHtml(feedUrl(site.baseUrl, slug, f))}">`,
  );
}

function categoryRow(site: FeedSite, c: CategorySummary): string {
  return `<tr id="${escapeHtml(categoryAnchor(c.slug))}"><td><a href="${escapeHtml(previewUrl(site.baseUrl, c.slug))}">${escapeHtml(c.name)}</a></td><td class="num">${c.count}</td><td>${time(c.lastChanged)}</td><td>${subscribeLinks(site.baseUrl, c.slug)}</td></tr>`;
}

/** The seed folder's files recovered from broken front matter and rejected: counts and the first names. */
function seedFileNotes(s: SourceState): string {
  const files = s.seedFiles;
  if (!files || (files.recovered === 0 && files.rejected === 0)) return '';
  const list = (kind: string, count: number, items: { relPath: string; note: string }[]): string => {
    if (count === 0) return '';
    const more = count > items.length ? `<li>… and ${count - items.length} more (see the log)</li>` : '';
    const names = items.map((f) => `<li><code>${escapeHtml(f.relPath)}</code>: ${escapeHtml(f.note)}</li>`).join('');
    return `<details class="files" open><summary>${count} file${count === 1 ? '' : 's'} ${kind}</summary><ul>${names}${more}</ul></details>`;
  };
  return (
    list('recovered', files.recovered, files.recoveredFiles.map((f) => ({ relPath: f.relPath, note: f.warning }))) +
    list('rejected', files.rejected, files.rejectedFiles.map((f) => ({ relPath: f.relPath, note: f.error })))
  );
}

/** How many articles the source's filter dropped, and by which rule. */
function filterNotes(s: SourceState): string {
  const filtered = s.filtered;
  if (!filtered || filtered.total === 0) return '';
  const rules = filtered.byRule.map((r) => `<li><code>${escapeHtml(r.rule)}</code>: ${r.count}</li>`).join('');
  return `<details class="files"><summary>${filtered.total} article${filtered.total === 1 ? '' : 's'} dropped by the filter</summary><ul>${rules}</ul></details>`;
}

function configNotice(problems: ConfigProblems | null | undefined): string {
  if (!problems) return '';
  const since = time(new Date(problems.since));
  const errors = problems.errors.map((error) => `<li><code>${escapeHtml(error)}</code></li>`).join('');
  return `<div class="err" role="alert"><p>The config file <code>${escapeHtml(problems.file)}</code> is invalid (read ${since}); the service runs with the last valid config until it is fixed:</p><ul>${errors}</ul></div>\n`;
}

function sourceRow(s: SourceState): string {
  const url = escapeHtml(s.url);
  // Only web URLs become links (the seed folder's "url" is a path).
  const link = /^https?:\/\//i.test(s.url) ? `<a href="${url}">${url}</a>` : url;
  // Errors name their URL for the log; here it stands in its own column already.
  const error = s.lastError?.startsWith(`${s.url}: `) ? s.lastError.slice(s.url.length + 2) : s.lastError;
  return `<tr><td>${escapeHtml(s.name)}${seedFileNotes(s)}${filterNotes(s)}</td><td class="url">${link}</td><td>${time(s.lastAttempt)}</td><td>${time(s.lastSuccess)}</td><td class="num">${s.httpStatus ?? '—'}</td><td class="err">${error ? escapeHtml(error) : '—'}</td><td class="num">${s.consecutiveFailures}</td><td>${time(s.nextRun)}</td></tr>`;
}

export function renderIndexPage(input: IndexPageInput): string {
  const { site } = input;
  const title = escapeHtml(site.title);
  const categories = [...input.categories]
    .filter((c) => c.slug !== 'all')
    .sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug));
  const head = [
    ...alternates(site, 'all', site.title),
    ...categories.flatMap((c) => alternates(site, c.slug, `${c.name} — ${site.title}`)),
    `<link rel="outline" type="text/x-opml" title="All categories (OPML)" href="${escapeHtml(opmlUrl(site.baseUrl))}">`,
  ];
  const allRow = input.all
    ? categoryRow(site, { ...input.all, name: 'All articles' })
    : `<tr><td><a href="${escapeHtml(previewUrl(site.baseUrl, 'all'))}">All articles</a></td><td class="num">—</td><td>—</td><td>${subscribeLinks(site.baseUrl, 'all')}</td></tr>`;
  const sources = input.sources === null ? null : [...input.sources].sort((a, b) => a.name.localeCompare(b.name));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${head.join('\n')}
<style>${CSS}</style>
</head>
<body>
<h1>${title}</h1>
${input.sources === null ? '' : configNotice(input.configProblems)}<p>Subscribe to one category or to everything; <a href="${escapeHtml(opmlUrl(site.baseUrl))}">import every category (OPML)</a>.</p>
<form class="search" method="get" action="${escapeHtml(searchPageUrl(site.baseUrl, ''))}" role="search"><input type="search" name="q" required placeholder="Search titles and bodies (any language)" aria-label="Search"><button type="submit">Search</button></form>
<h2>Categories</h2>
<div class="wrap"><table>
<thead><tr><th>Category</th><th class="num">Articles</th><th>Last change</th><th>Subscribe</th></tr></thead>
<tbody>
${[allRow, ...categories.map((c) => categoryRow(site, c))].join('\n')}
</tbody>
</table></div>
${sources === null ? '' : `<h2>Sources</h2>
${
  sources.length === 0
    ? '<p>No source has run yet.</p>'
    : `<div class="wrap"><table>
<thead><tr><th>Source</th><th>URL</th><th>Last attempt</th><th>Last success</th><th class="num">HTTP</th><th>Last error</th><th class="num">Failures</th><th>Next run</th></tr></thead>
<tbody>
${sources.map(sourceRow).join('\n')}
</tbody>
</table></div>`
}`}
</body>
</html>
`;
}
