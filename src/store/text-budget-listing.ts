// The newest stories of a category whose text fits a budget, cut in the database: the lengths are summed there
// (a window over the listing's ids) and only the stories that fit are read whole. A one-off `?limit=1000` render
// of long bodies used to read 1,000 full rows into the heap before cutting them to 1 Mi characters
// (publish/render-documents.ts). One SQL shape for both backends; each gives its placeholders and columns.
import { measuredTextChars } from './text-chars-table.js';

/**
 * Characters a story `s`'s text costs a render, as publish's storiesWithinBudget counts them (body, summary,
 * title): the length stored in story_text_chars (text-chars-table.ts), joined by TEXT_CHARS_JOIN, so no body is
 * read to measure it; measured from the row only should a story have none (never, as the triggers keep it).
 */
export const TEXT_CHARS = `coalesce(tc.chars, ${measuredTextChars('s')})`;
export const TEXT_CHARS_JOIN = 'LEFT JOIN story_text_chars tc ON tc.id = s.id';

/**
 * `slug` is absent for `all` (every story). Placeholders in the order the parameters are bound: the slug (for a
 * category), the cursor's date and id (when given: the listing starts after that story), the limit, the offset
 * (when given), the budget. Newest first, or oldest first from `offset` (the archive pages, RFC 5005). The first
 * story is kept even when it alone is over the budget.
 */
export function textBudgetListingSql(
  columns: string,
  place: { slug?: string; after?: { published: string; id: string }; limit: string; offset?: string; budget: string; oldestFirst?: boolean },
): string {
  const dir = place.oldestFirst ? 'ASC' : 'DESC';
  const page = `LIMIT ${place.limit}${place.offset === undefined ? '' : ` OFFSET ${place.offset}`}`;
  const beyond = (published: string, id: string) =>
    place.after === undefined ? '' : `(${published}, ${id}) ${place.oldestFirst ? '>' : '<'} (${place.after.published}, ${place.after.id})`;
  const listed = place.slug === undefined
    ? `SELECT s.id, s.published_ms, ${TEXT_CHARS} AS chars FROM stories s ${TEXT_CHARS_JOIN}${place.after ? ` WHERE ${beyond('s.published_ms', 's.id')}` : ''}
      ORDER BY s.published_ms ${dir}, s.id ${dir} ${page}`
    : `SELECT s.id, sc.published_ms, ${TEXT_CHARS} AS chars FROM story_categories sc JOIN stories s ON s.id = sc.story_id ${TEXT_CHARS_JOIN}
      WHERE sc.slug = ${place.slug}${place.after ? ` AND ${beyond('sc.published_ms', 'sc.story_id')}` : ''}
      ORDER BY sc.published_ms ${dir}, sc.story_id ${dir} ${page}`;
  return `WITH listed AS (${listed}),
    kept AS (
      SELECT id, published_ms, sum(chars) OVER listing AS used, row_number() OVER listing AS n FROM listed
      WINDOW listing AS (ORDER BY published_ms ${dir}, id ${dir} ROWS UNBOUNDED PRECEDING)
    )
    SELECT ${columns} FROM kept JOIN stories s ON s.id = kept.id
    WHERE kept.n = 1 OR kept.used <= ${place.budget}
    ORDER BY kept.published_ms ${dir}, kept.id ${dir}`;
}
