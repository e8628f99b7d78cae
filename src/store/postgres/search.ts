// Search on PostgreSQL: the query language (text/parse-query.ts) as a tsquery over story_search.words
// (story-words.ts), ranked by ts_rank_cd with the title weighted × a recency boost, over the newest
// RANKED_CANDIDATES matches, counted up to COUNT_CAP: the same rules and result as SQLite's FTS5 index.
import { parseQuery, type ParsedQuery, type QueryTerm } from '../../text/parse-query.js';
import { COUNT_CAP, RANKED_CANDIDATES, RECENCY_BOOST, RECENCY_HALF_MS, TITLE_WEIGHT } from '../search-rules.js';
import type { SearchResult } from '../store.js';
import { toStory, type StoryRow } from '../stored-rows.js';
import { toPg } from './pg-text.js';
import type { Sql } from './pool.js';
import { S_STORY_COLUMNS } from './stories-table.js';

/** ts_rank_cd weights {D, C, B, A}: body words are B, title words A (TITLE_WEIGHT times a body word). */
const RANK_WEIGHTS = `{0, 0, ${1 / TITLE_WEIGHT}, 1}`;

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
 * Windows of publication time, back from the newest story, in which the candidates are looked for in turn
 * (the last: every story). The newest RANKED_CANDIDATES matches of a word in ~1% of stories are ~8,000
 * matches back at 1M stories: within a window, the GIN bitmap is intersected with the publication index's
 * range first, so only the window's matches are visited; a window holding RANKED_CANDIDATES matches holds
 * exactly the newest ones. A common word finds its 500 in the first window by walking the publication index.
 * Every window repeats the GIN scan (~10 ms for three common characters at 1M), so the second window is
 * sized from the first one's matches (as if matches were spread evenly in time, with a margin), then grows
 * ×4. A query with fewer than COUNT_CAP matches (counted first) reads them at once.
 */
const FIRST_WINDOW_DAYS = 7;
const WINDOW_MARGIN = 1.5;
const WINDOW_GROWTH = 4;
/** Beyond this many days the next window is every story. */
const LAST_WINDOW_DAYS = 3_650;
const DAY_MS = 86_400_000;

/**
 * Stories matching the query, best first (ts_rank_cd, title matches weighted, recent stories boosted),
 * with how many match (counted up to COUNT_CAP) and the newest change among those returned (what a feed
 * of them shows; a zero limit reads the best one for it). As on SQLite, ranking and the category
 * restriction look at the newest RANKED_CANDIDATES matches.
 */
export async function searchStories(sql: Sql, query: string, limit: number, names: ReadonlyMap<string, string>, nowMs: number): Promise<SearchResult> {
  const parsed = parseQuery(query);
  const tsquery = tsqueryText(parsed);
  if (tsquery === null) return { stories: [], total: 0, lastChanged: null };
  const wanted = Math.max(0, Math.floor(limit));
  const categories = parsed.categories.map(toPg);
  const counted = sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT FROM story_search WHERE words @@ to_tsquery('simple', $1) LIMIT ${COUNT_CAP}) f`, [tsquery],
  ).then((result) => Number(result.rows[0]!.n));
  counted.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const ranked = await candidates(sql, tsquery, nowMs, counted);
  // $1 ids, $2 ranks, $3 dates, $4 limit, $5… categories: only the page's stories are read whole.
  const page = sql.query<StoryRow>(
    `SELECT ${S_STORY_COLUMNS} FROM (
       SELECT r.id, r.rank, r.published_ms FROM unnest($1::text[], $2::float8[], $3::bigint[]) AS r(id, rank, published_ms)
       WHERE TRUE${inCategories('r', 5, categories.length)}
       ORDER BY r.rank DESC, r.published_ms DESC, r.id COLLATE "C" DESC LIMIT $4
     ) r JOIN stories s ON s.id = r.id
     ORDER BY r.rank DESC, r.published_ms DESC, r.id COLLATE "C" DESC`,
    [ranked.map((c) => c.id), ranked.map((c) => c.rank), ranked.map((c) => c.published_ms), Math.max(1, wanted), ...categories],
  );
  const inCategoriesCount = categories.length === 0 ? counted : sql.query<{ n: number }>(`SELECT count(*) AS n FROM (
      SELECT id FROM story_search WHERE words @@ to_tsquery('simple', $1) ORDER BY published_ms DESC, id DESC LIMIT ${COUNT_CAP}
    ) f JOIN stories s ON s.id = f.id
    WHERE TRUE${inCategories('s', 2, categories.length)}`, [tsquery, ...categories]).then((result) => Number(result.rows[0]!.n));
  const [{ rows }, total] = await Promise.all([page, inCategoriesCount]);
  const newest = rows.reduce<number | null>((m, row) => (m === null || row.updated_ms > m ? row.updated_ms : m), null);
  return {
    stories: rows.slice(0, wanted).map((row) => toStory(row, names)),
    total,
    lastChanged: newest === null ? null : new Date(newest),
  };
}

interface Candidate {
  id: string;
  published_ms: string;
  rank: number;
}

/**
 * The newest RANKED_CANDIDATES matches with their rank (ts_rank_cd × the recency boost, computed after the
 * LIMIT: 500 tsvectors unpacked, not every match): the first window while the count runs, then, when the
 * count reaches COUNT_CAP, the next windows (WINDOWS_DAYS), else every story at once.
 */
async function candidates(sql: Sql, tsquery: string, nowMs: number, counted: Promise<number>): Promise<Candidate[]> {
  // The tsquery is written out in each statement (no CTE): the planner estimates the matches from its value.
  // `order`: the first window walks the publication index (a common word finds its 500 in a few hundred rows);
  // later windows and the whole table sort the GIN bitmap's matches instead (`published_ms + 0`): a walk
  // there unpacks every row's tsvector for the filter, out of line (the planner does not count that cost).
  const newest = (window: string, order = 's.published_ms') => sql.query<Candidate>(
    `SELECT c.id, c.published_ms, ts_rank_cd('${RANK_WEIGHTS}', c.words, to_tsquery('simple', $1))
       * (1.0 + ${RECENCY_BOOST} / (1.0 + greatest(0, $2::bigint - c.published_ms) / ${RECENCY_HALF_MS}.0)) AS rank
     FROM (
       SELECT s.id, s.published_ms, s.words FROM story_search s WHERE s.words @@ to_tsquery('simple', $1)${window}
       ORDER BY ${order} DESC, s.id DESC LIMIT ${RANKED_CANDIDATES}
     ) c`, [tsquery, nowMs]);
  const sorted = 's.published_ms + 0';
  const { rows: [latest] } = await sql.query<{ ms: string | null }>('SELECT max(published_ms) AS ms FROM story_search');
  if (latest?.ms != null) {
    // Our own integers, written into the statement: the planner sees the range it estimates the window from.
    const since = (days: number) => ` AND s.published_ms >= ${Number(latest.ms) - Math.ceil(days * DAY_MS)}`;
    const found = (await newest(since(FIRST_WINDOW_DAYS))).rows;
    if (found.length === RANKED_CANDIDATES) return found;
    if ((await counted) === COUNT_CAP) {
      let days = FIRST_WINDOW_DAYS * Math.max(WINDOW_GROWTH, (WINDOW_MARGIN * RANKED_CANDIDATES) / Math.max(1, found.length));
      for (; days < LAST_WINDOW_DAYS; days *= WINDOW_GROWTH) {
        const { rows } = await newest(since(days), sorted);
        if (rows.length === RANKED_CANDIDATES) return rows;
      }
    }
  }
  return (await newest('', sorted)).rows;
}
