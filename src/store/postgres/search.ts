// Search on PostgreSQL: the query language (text/parse-query.ts) as a tsquery over stories.search_words
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
 * matches back at 1M stories: found through the GIN index alone, each match costs a visit of its table row
 * (for its date) before the newest 500 are known (0.1–3 s here). Within a window, the GIN bitmap is
 * intersected with the publication index's range first, so only the window's matches are visited; a window
 * holding RANKED_CANDIDATES matches holds exactly the newest ones. A common word finds its 500 in the first
 * window by walking the publication index. A query with fewer than COUNT_CAP matches (counted first) reads
 * them at once: a window's range bitmap would cost more than its few matches.
 */
const WINDOWS_DAYS = [7, 30, 120, 480];
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
  // The count (up to COUNT_CAP) first: it tells whether the matches are few enough to read at once.
  const { rows: [counted] } = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM stories WHERE search_words @@ to_tsquery('simple', $1) LIMIT ${COUNT_CAP}) f`, [tsquery]);
  const matches = Number(counted!.n);
  const ids = await candidates(sql, tsquery, matches === COUNT_CAP);
  const inCategoriesCount = categories.length === 0 ? null : sql.query<{ n: number }>(`SELECT count(*) AS n FROM (
      SELECT id FROM stories WHERE search_words @@ to_tsquery('simple', $1) ORDER BY published_ms DESC, id DESC LIMIT ${COUNT_CAP}
    ) f JOIN stories s ON s.id = f.id
    WHERE TRUE${inCategories('s', 2, categories.length)}`, [tsquery, ...categories]);
  // Ranked after the candidates are known, so ts_rank_cd unpacks 500 tsvectors, not every match; only the
  // page's stories are read whole. $1 ids, $2 tsquery, $3 now, $4 limit, $5… categories.
  const page = sql.query<StoryRow>(
    `SELECT ${S_STORY_COLUMNS} FROM (
       SELECT c.id, c.published_ms, ts_rank_cd('${RANK_WEIGHTS}', c.search_words, to_tsquery('simple', $2))
         * (1.0 + ${RECENCY_BOOST} / (1.0 + greatest(0, $3::bigint - c.published_ms) / ${RECENCY_HALF_MS}.0)) AS rank
       FROM stories c WHERE c.id = ANY($1::text[])${inCategories('c', 5, categories.length)}
       ORDER BY rank DESC, c.published_ms DESC, c.id DESC LIMIT $4
     ) r JOIN stories s ON s.id = r.id
     ORDER BY r.rank DESC, r.published_ms DESC, r.id DESC`,
    [ids, tsquery, nowMs, Math.max(1, wanted), ...categories],
  );
  const [{ rows }, total] = await Promise.all([page, inCategoriesCount?.then((result) => Number(result.rows[0]!.n)) ?? matches]);
  const newest = rows.reduce<number | null>((m, row) => (m === null || row.updated_ms > m ? row.updated_ms : m), null);
  return {
    stories: rows.slice(0, wanted).map((row) => toStory(row, names)),
    total,
    lastChanged: newest === null ? null : new Date(newest),
  };
}

/** The ids of the newest RANKED_CANDIDATES matches: window by window (WINDOWS_DAYS) when there are `many`. */
async function candidates(sql: Sql, tsquery: string, many: boolean): Promise<string[]> {
  // The tsquery is written out in each statement (no CTE): the planner estimates the matches from its value.
  const newest = `SELECT s.id FROM stories s WHERE s.search_words @@ to_tsquery('simple', $1)`;
  const order = `ORDER BY s.published_ms DESC, s.id DESC LIMIT ${RANKED_CANDIDATES}`;
  const { rows: [latest] } = many ? await sql.query<{ ms: string | null }>('SELECT max(published_ms) AS ms FROM stories') : { rows: [] };
  if (latest?.ms != null) {
    for (const days of WINDOWS_DAYS) {
      const { rows } = await sql.query<{ id: string }>(`${newest} AND s.published_ms >= $2 ${order}`, [tsquery, Number(latest.ms) - days * DAY_MS]);
      if (rows.length === RANKED_CANDIDATES) return rows.map((row) => row.id);
    }
  }
  const { rows } = await sql.query<{ id: string }>(`${newest} ${order}`, [tsquery]);
  return rows.map((row) => row.id);
}
