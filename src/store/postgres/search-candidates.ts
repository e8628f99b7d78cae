// The candidates of a PostgreSQL search (search.ts): the newest RANKED_CANDIDATES matches of a tsquery in
// story_search, ranked (ts_rank_cd × the recency boost, computed after the LIMIT: 500 tsvectors unpacked,
// not every match), with how many match up to COUNT_CAP.
import { COUNT_CAP, RANKED_CANDIDATES, RECENCY_BOOST, RECENCY_HALF_MS, TITLE_WEIGHT } from '../search-rules.js';
import type { Sql } from './pool.js';
import { PERIOD_MS, periodLexeme } from './story-words.js';

/** ts_rank_cd weights {D, C, B, A}: body words are B, title words A (TITLE_WEIGHT times a body word). */
const RANK_WEIGHTS = `{0, 0, ${1 / TITLE_WEIGHT}, 1}`;

export interface Candidate {
  id: string;
  published_ms: string;
  rank: number;
}

export interface Candidates {
  rows: Candidate[];
  /** How many stories match, up to COUNT_CAP. */
  total: Promise<number>;
}

/**
 * Where the candidates are looked for: windows of publication time back from the newest story, sized from
 * the planner's estimate of the matches (its statistics of the words: within a few percent for the bench's
 * queries) as if they were spread evenly in time.
 * - A common word (WALK_TARGET matches expected within FIRST_WINDOW_DAYS): the newest 500 are the first
 *   ~600 rows of the publication index's walk back, each row's tsvector tested; counted beside it.
 * - Otherwise the window expected to hold GATHER_TARGET matches is read from the GIN index (the window as
 *   the stories' period lexemes, story-words.ts: the GIN scan gives the window's matches only) in one statement: every match's date from the narrow table, the newest 500 ranked,
 *   and how many there are, so one GIN scan (~10 ms for three common characters at 1M stories) gives the
 *   candidates and the count. A window holding RANKED_CANDIDATES matches holds exactly the newest ones; one
 *   holding COUNT_CAP says the count. Too few (a wrong estimate): the next window grows from what was found.
 */
const FIRST_WINDOW_DAYS = 7;
/** Matches within FIRST_WINDOW_DAYS that make a word common: its candidates are walked, not gathered. */
const WALK_TARGET = 2 * COUNT_CAP;
/**
 * The matches a window is sized to hold: enough to say the count (COUNT_CAP) with the estimate a few percent off,
 * and no more: each is a row visit, a random read of story_search when it is not cached (2,000 took 70–130 ms cold).
 */
const GATHER_TARGET = 1.25 * COUNT_CAP;
/**
 * A window reads at most this many matches: past it the estimate was far too low (a prefix is estimated at
 * 0.5% of the stories whatever it matches), and the window shrinks to what the matches found say.
 */
const GATHER_CAP = 5 * GATHER_TARGET;
/** Windows tried before the walk back through the publication index over every story. */
const MAX_WINDOWS = 6;
const WINDOW_GROWTH = 4;
const DAY_MS = 86_400_000;

const RANKED = (from: string) => `SELECT c.id, c.published_ms, ts_rank_cd('${RANK_WEIGHTS}', c.words, to_tsquery('simple', $1))
    * (1.0 + ${RECENCY_BOOST} / (1.0 + greatest(0, $2::bigint - c.published_ms) / ${RECENCY_HALF_MS}.0)) AS rank${from}`;

// The tsquery is written out in each statement (no shared CTE of it): the planner estimates the matches from its value.
const countMatches = (sql: Sql, tsquery: string): Promise<number> => sql.query<{ n: number }>(
  `SELECT count(*) AS n FROM (SELECT FROM story_search WHERE words @@ to_tsquery('simple', $1) LIMIT ${COUNT_CAP}) f`, [tsquery],
).then((result) => Number(result.rows[0]!.n));

/** The newest 500 of a window by walking the publication index back (a common word). */
const walked = async (sql: Sql, tsquery: string, nowMs: number, window: string): Promise<Candidate[]> => (await sql.query<Candidate>(
  RANKED(` FROM (
     SELECT s.id, s.published_ms, s.words FROM story_search s WHERE s.words @@ to_tsquery('simple', $1)${window}
     ORDER BY s.published_ms DESC, s.id DESC LIMIT ${RANKED_CANDIDATES}
   ) c`), [tsquery, nowMs])).rows;

/**
 * Every match of a window from the GIN index (up to GATHER_CAP): the newest 500 ranked, and how many matched.
 * `periods`: the window as a tsquery of period lexemes (null: every story).
 */
async function gathered(sql: Sql, tsquery: string, nowMs: number, periods: string | null): Promise<{ rows: Candidate[]; matches: number }> {
  const { rows } = await sql.query<Candidate & { matches: number }>(
    `WITH m AS MATERIALIZED (
       SELECT s.id, s.published_ms, s.words FROM story_search s
       WHERE s.words @@ to_tsquery('simple', $1)${periods === null ? '' : ' AND s.words @@ $3::tsquery'} LIMIT ${GATHER_CAP})
     ${RANKED(`, n.matches FROM (SELECT * FROM m ORDER BY published_ms DESC, id DESC LIMIT ${RANKED_CANDIDATES}) c,
       (SELECT count(*) AS matches FROM m) n`)}`, periods === null ? [tsquery, nowMs] : [tsquery, nowMs, periods]);
  return { rows: rows.map(({ id, published_ms, rank }) => ({ id, published_ms, rank })), matches: Number(rows[0]?.matches ?? 0) };
}

/**
 * The planner's estimate of the stories matching a tsquery (its statistics of the words). Planned under a LIMIT 1
 * and read from the node below it (the scan's estimate does not depend on the LIMIT): without it, a common word's
 * plan (a scan of every story) costs more than jit_above_cost, and the server set up JIT for this statement it only
 * plans — 20–40 ms on each connection's first common word, ~300 ms on a fresh server's first, at 1M stories.
 */
export async function estimateMatches(sql: Sql, tsquery: string): Promise<number> {
  const { rows: [plan] } = await sql.query<{ 'QUERY PLAN': Array<{ Plan: { Plans: Array<{ 'Plan Rows': number }> } }> }>(
    `EXPLAIN (FORMAT JSON) SELECT FROM story_search WHERE words @@ to_tsquery('simple', $1) LIMIT 1`, [tsquery]);
  return plan!['QUERY PLAN'][0]!.Plan.Plans[0]!['Plan Rows'];
}

export async function findCandidates(sql: Sql, tsquery: string, nowMs: number): Promise<Candidates> {
  const [{ rows: [table] }, estimated] = await Promise.all([
    sql.query<{ newest: number | null; oldest: number | null }>('SELECT max(published_ms) AS newest, min(published_ms) AS oldest FROM story_search'),
    estimateMatches(sql, tsquery),
  ]);
  if (table?.newest == null || table.oldest == null) return { rows: [], total: Promise.resolve(0) };
  const { newest } = table;
  const spanMs = Math.max(DAY_MS, newest - table.oldest);
  const estimate = Math.max(1, estimated);
  // Our own integers, written into the statement: the planner sees the range it estimates the window from.
  const since = (ms: number) => (ms >= spanMs ? '' : ` AND s.published_ms >= ${newest - Math.ceil(ms)}`);
  // The periods from the one holding `newest - ms` to the newest story's: a window of whole periods back from now.
  const periods = (ms: number): string | null => {
    if (ms >= spanMs) return null;
    const first = Math.floor((newest - Math.ceil(ms)) / PERIOD_MS);
    const last = Math.floor(newest / PERIOD_MS);
    return Array.from({ length: last - first + 1 }, (_, i) => `'${periodLexeme((first + i) * PERIOD_MS)}'`).join(' | ');
  };
  const gather = async (fromMs: number, counted?: Promise<number>): Promise<Candidates> => {
    let ms = fromMs;
    for (let tries = 0; tries < MAX_WINDOWS; tries++) {
      const { rows, matches } = await gathered(sql, tsquery, nowMs, periods(ms));
      if (matches === GATHER_CAP) {
        // Not every match was read: the rows are not the newest. The window shrinks to ~GATHER_TARGET.
        ms = Math.min(ms, spanMs) * (GATHER_TARGET / GATHER_CAP);
        continue;
      }
      if (matches >= COUNT_CAP || ms >= spanMs) return { rows, total: Promise.resolve(Math.min(matches, COUNT_CAP)) };
      if (rows.length === RANKED_CANDIDATES) return { rows, total: counted ?? countMatches(sql, tsquery) };
      ms *= Math.max(WINDOW_GROWTH, GATHER_TARGET / Math.max(1, matches));
    }
    return { rows: await walked(sql, tsquery, nowMs, ''), total: counted ?? countMatches(sql, tsquery) };
  };
  if ((WALK_TARGET * spanMs) / estimate > FIRST_WINDOW_DAYS * DAY_MS) return gather((GATHER_TARGET * spanMs) / estimate);
  const total = countMatches(sql, tsquery);
  total.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
  const found = await walked(sql, tsquery, nowMs, since(FIRST_WINDOW_DAYS * DAY_MS));
  if (found.length === RANKED_CANDIDATES) return { rows: found, total };
  return gather(FIRST_WINDOW_DAYS * DAY_MS * Math.max(WINDOW_GROWTH, GATHER_TARGET / Math.max(1, found.length)), total);
}
