// Search on PostgreSQL: the query language (text/parse-query.ts) as a tsquery over story_search.words
// (story-words.ts), ranked by ts_rank_cd with the title weighted × a recency boost, over the newest
// RANKED_CANDIDATES matches, counted up to COUNT_CAP: the same rules and result as SQLite's FTS5 index.
import type pg from 'pg';
import { parseQuery, type ParsedQuery, type QueryTerm } from '../../text/parse-query.js';
import { COUNT_CAP, RANKED_CANDIDATES } from '../search-rules.js';
import type { SearchPage, SearchResult } from '../store.js';
import { toStory, type StoryRow } from '../stored-rows.js';
import { TEXT_CHARS, TEXT_CHARS_JOIN } from '../text-budget-listing.js';
import { toPg } from './pg-text.js';
import type { Sql } from './pool.js';
import { findCandidates } from './search-candidates.js';
import { S_STORY_COLUMNS } from './stories-table.js';

/**
 * One word as a quoted tsquery lexeme: `'…'` with quotes and backslashes escaped, so user text is never
 * tsquery syntax (our words hold only letters, marks and digits anyway). `weight` restricts it to the
 * title (A) or body (B); `prefix` makes it match the start of words.
 */
function lexeme(word: string, prefix: boolean, weight = ''): string {
  const flags = `${prefix ? '*' : ''}${weight}`;
  return `'${toPg(word).replace(/\\/g, '\\\\').replace(/'/g, "''")}'${flags ? `:${flags}` : ''}`;
}

/**
 * One term as a tsquery. A phrase is adjacent words within the title or within the body (as FTS5
 * matches a phrase within one column: the body's positions follow the title's in one tsvector);
 * other words must all occur, anywhere.
 */
function termQuery(term: QueryTerm): string {
  const last = term.words.length - 1;
  const words = (weight = '') => term.words.map((word, i) => lexeme(word, term.prefix && i === last, weight));
  if (term.phrase) return `(${words('A').join(' <-> ')} | ${words('B').join(' <-> ')})`;
  return `(${words().join(' & ')})`;
}

/** The tsquery text of a query (to_tsquery input); null when nothing is required (only exclusions, or nothing). */
export function tsqueryText(parsed: ParsedQuery): string | null {
  const required = parsed.terms.filter((term) => !term.exclude).map(termQuery);
  if (required.length === 0) return null;
  const excluded = parsed.terms.filter((term) => term.exclude).map((term) => `!${termQuery(term)}`);
  return [...required, ...excluded].join(' & ');
}

const inCategories = (story: string, first: number, count: number): string => Array.from({ length: count }, (_, i) =>
  ` AND EXISTS (SELECT 1 FROM story_categories sc WHERE sc.story_id = ${story}.id AND sc.slug = $${first + i})`).join('');

/**
 * Stories matching the query, best first (ts_rank_cd, title matches weighted, recent stories boosted),
 * with how many match (counted up to COUNT_CAP) and the newest change among those returned (what a feed
 * of them shows; a zero limit reads the best one for it). As on SQLite, ranking and the category
 * restriction look at the newest RANKED_CANDIDATES matches.
 */
export async function searchStories(
  sql: Sql, query: string, limit: number, names: ReadonlyMap<string, string>, nowMs: number, page: SearchPage = {},
): Promise<SearchResult> {
  const { offset = 0, maxTextChars = Number.MAX_SAFE_INTEGER } = page;
  const parsed = parseQuery(query);
  const tsquery = tsqueryText(parsed);
  if (tsquery === null) return { stories: [], total: 0, lastChanged: null };
  const wanted = Math.max(0, Math.floor(limit));
  const categories = parsed.categories.map(toPg);
  const { rows: ranked, total: counted } = await findCandidates(sql, tsquery, nowMs);
  // $1 ids, $2 ranks, $3 dates, $4 limit, $5 offset, $6… categories, then the text budget: only the page's stories that fit
  // it (summed in the database, text-budget-listing.ts; the first always kept) are read whole.
  const best = 'r.rank DESC, r.published_ms DESC, r.id COLLATE "C" DESC';
  const stories = sql.query<StoryRow>(
    `WITH kept AS (
       SELECT r.id, r.rank, r.published_ms, sum(${TEXT_CHARS}) OVER best AS used, row_number() OVER best AS n FROM (
         SELECT r.id, r.rank, r.published_ms FROM unnest($1::text[], $2::float8[], $3::bigint[]) AS r(id, rank, published_ms)
         WHERE TRUE${inCategories('r', 6, categories.length)}
         ORDER BY ${best} LIMIT $4 OFFSET $5
       ) r JOIN stories s ON s.id = r.id ${TEXT_CHARS_JOIN}
       WINDOW best AS (ORDER BY ${best} ROWS UNBOUNDED PRECEDING)
     )
     SELECT ${S_STORY_COLUMNS} FROM kept r JOIN stories s ON s.id = r.id
     WHERE r.n = 1 OR r.used <= $${6 + categories.length}
     ORDER BY ${best}`,
    [ranked.map((c) => c.id), ranked.map((c) => c.rank), ranked.map((c) => c.published_ms), Math.max(1, wanted), Math.max(0, Math.floor(offset)),
      ...categories, maxTextChars],
  );
  const inCategoriesCount = categories.length === 0 ? counted : sql.query<{ n: number }>(`SELECT count(*) AS n FROM (
      SELECT id FROM story_search WHERE words @@ to_tsquery('simple', $1) ORDER BY published_ms DESC, id DESC LIMIT ${COUNT_CAP}
    ) f JOIN stories s ON s.id = f.id
    WHERE TRUE${inCategories('s', 2, categories.length)}`, [tsquery, ...categories]).then((result) => Number(result.rows[0]!.n));
  const [{ rows }, total] = await Promise.all([stories, inCategoriesCount]);
  const newest = rows.reduce<number | null>((m, row) => (m === null || row.updated_ms > m ? row.updated_ms : m), null);
  return {
    stories: rows.slice(0, wanted).map((row) => toStory(row, names)),
    total,
    lastChanged: newest === null ? null : new Date(newest),
  };
}

/**
 * A client whose queries go out one after another. A search sends its reads at once, each on a connection of its
 * own when given a pool; one client runs one query at a time anyway, and a query sent while another runs is
 * deprecated in pg 8 and refused in pg 9. Only `query` is used by the reads given an Sql.
 */
function oneAtATime(client: pg.PoolClient): Sql {
  let previous: Promise<unknown> = Promise.resolve();
  const query = (text: string, values?: unknown[]) => {
    const next = previous.then(() => client.query(text, values));
    previous = next.catch(() => undefined);
    return next;
  };
  return { query } as unknown as Sql;
}

/** What the warm-up searches for: a word no story is expected to hold (a match would only cost a little more). */
const WARM_UP_QUERY = 'aggregatorwarmupprobe';

/** The newest stories whose search rows are read at open: a word in most stories finds its newest 500 among them. */
export const WARM_STORIES = 4 * RANKED_CANDIDATES;

/**
 * Opens `connections` pooled connections at once and runs a search on each, so every statement a search runs is
 * parsed, planned and run on it against the real tables. A new connection's first statements cost 10–40 ms each
 * while its server process loads the catalog entries and the word column's statistics (the EXPLAIN reads them):
 * a store opened for serving pays that at open, for the connections its pool keeps, not in its first searches.
 * Then the newest WARM_STORIES rows of story_search are read once: a common word's search walks them back
 * from the newest (one random read each while they are not cached: its first searches took 100–500 ms at 1M).
 */
export async function warmSearchConnections(pool: pg.Pool, connections: number, nowMs: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  try {
    await Promise.all(clients.map((client) => searchStories(oneAtATime(client), WARM_UP_QUERY, 1, new Map(), nowMs)));
    await clients[0]?.query(`SELECT count(words) FROM (SELECT words FROM story_search ORDER BY published_ms DESC LIMIT ${WARM_STORIES}) newest`);
  } finally {
    for (const client of clients) client.release();
  }
}
