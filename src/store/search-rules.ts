// The ranking constants and caps both backends' word indexes share, so SQLite (FTS5, bm25) and PostgreSQL
// (tsvector, ts_rank_cd) rank and count alike. No imports: SQLite's search thread reads these without
// loading the segmenter.

/** Title matches weigh this much more than body matches. */
export const TITLE_WEIGHT = 2.0;
/** A story published now ranks up to this fraction higher; a story RECENCY_HALF_MS old half as much. */
export const RECENCY_BOOST = 0.2;
export const RECENCY_HALF_MS = 30 * 86_400_000;
/** Ranking looks at the newest this many matches (scoring every match of a common word costs O(matches)). */
export const RANKED_CANDIDATES = 500;
/** Counts stop here: a count over a million matches would cost more than the search. */
export const COUNT_CAP = 1000;
