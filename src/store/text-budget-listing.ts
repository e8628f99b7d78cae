// The newest stories of a category whose text fits a budget, cut in the database: the lengths are summed there
// (a window over the listing's ids) and only the stories that fit are read whole. A one-off `?limit=1000` render
// of long bodies used to read 1,000 full rows into the heap before cutting them to 1 Mi characters
// (publish/render-documents.ts). One SQL shape for both backends; each gives its placeholders and columns.

/** Characters a story's text costs a render, as publish's storiesWithinBudget counts them: body, summary, title. */
const TEXT_CHARS = 'length(s.content_html) + length(s.summary) + length(s.title)';

/**
 * `slug` is absent for `all` (every story). Placeholders in the order the parameters are bound: the slug (for a
 * category), the limit, the budget. The first story is kept even when it alone is over the budget.
 */
export function textBudgetListingSql(columns: string, place: { slug?: string; limit: string; budget: string }): string {
  const listed = place.slug === undefined
    ? `SELECT s.id, s.published_ms, ${TEXT_CHARS} AS chars FROM stories s ORDER BY s.published_ms DESC, s.id DESC LIMIT ${place.limit}`
    : `SELECT s.id, s.published_ms, ${TEXT_CHARS} AS chars FROM story_categories sc JOIN stories s ON s.id = sc.story_id
      WHERE sc.slug = ${place.slug} ORDER BY sc.published_ms DESC, sc.story_id DESC LIMIT ${place.limit}`;
  return `WITH listed AS (${listed}),
    kept AS (
      SELECT id, published_ms, sum(chars) OVER newest AS used, row_number() OVER newest AS n FROM listed
      WINDOW newest AS (ORDER BY published_ms DESC, id DESC ROWS UNBOUNDED PRECEDING)
    )
    SELECT ${columns} FROM kept JOIN stories s ON s.id = kept.id
    WHERE kept.n = 1 OR kept.used <= ${place.budget}
    ORDER BY kept.published_ms DESC, kept.id DESC`;
}
