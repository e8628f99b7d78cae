// origins on PostgreSQL: the batched operations of a unit of work, each one statement over arrays.
import { toArticle, type OriginRow, type StoredOrigin, type StoredOriginArticle } from '../stored-rows.js';
import type { OriginKey, UnitTables } from '../table-steps.js';
import { columnArrays, fromPgKey, toPg } from './pg-text.js';
import type { Sql } from './pool.js';

const COLUMNS = [
  ['source_key', 'text'], ['origin_id', 'text'], ['title_key', 'text'], ['title', 'text'], ['link', 'text'],
  ['guid', 'text'], ['published_ms', 'bigint'], ['updated_ms', 'bigint'], ['author', 'text'],
  ['categories_json', 'text'], ['image', 'text'], ['content_html', 'text'], ['text_length', 'bigint'], ['summary', 'text'],
  ['date_is_fallback', 'smallint'], ['content_hash', 'text'], ['first_seen_ms', 'bigint'],
  ['enclosures_json', 'text'],
] as const satisfies readonly (readonly [keyof OriginRow, string])[];

const names = COLUMNS.map(([name]) => name).join(', ');
const UPSERT = `
  INSERT INTO origins (${names})
  SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (source_key, origin_id) DO UPDATE SET
    ${COLUMNS.filter(([name]) => !['source_key', 'origin_id', 'first_seen_ms'].includes(name)).map(([name]) => `${name} = excluded.${name}`).join(', ')}`;

export function createOriginsTable(sql: Sql): UnitTables['origins'] {
  return {
    async findMany(keys: readonly OriginKey[]): Promise<(StoredOrigin | null)[]> {
      const { rows } = await sql.query<{ i: number; title_key: string; content_hash: string }>(
        `SELECT u.i, o.title_key, o.content_hash FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, o_id, i)
         JOIN origins o ON o.source_key = u.s AND o.origin_id = u.o_id`,
        [keys.map((key) => toPg(key.sourceKey)), keys.map((key) => toPg(key.originId))],
      );
      const found: (StoredOrigin | null)[] = keys.map(() => null);
      for (const row of rows) found[row.i - 1] = { titleKey: fromPgKey(row.title_key), contentHash: row.content_hash };
      return found;
    },
    async saveMany(rows: readonly OriginRow[]): Promise<void> {
      await sql.query(UPSERT, columnArrays(rows, COLUMNS));
    },
    async withTitleKeys(keys: readonly string[]): Promise<StoredOriginArticle[][]> {
      // An origin without its own body is alone in its story, whose body is therefore the origin's.
      const { rows } = await sql.query<OriginRow & { story_html: string | null }>(
        `SELECT o.*, CASE WHEN o.content_html IS NULL THEN s.content_html END AS story_html
         FROM origins o LEFT JOIN stories s ON s.id = o.story_id WHERE o.title_key = ANY($1::text[])`,
        [keys.map(toPg)],
      );
      const byKey = new Map(keys.map((key) => [key, [] as StoredOriginArticle[]]));
      for (const row of rows) {
        const titleKey = fromPgKey(row.title_key);
        byKey.get(titleKey)?.push(toArticle({ ...row, title_key: titleKey }));
      }
      return keys.map((key) => byKey.get(key)!);
    },
    async assignStories(assignments: readonly (OriginKey & { storyId: string })[]): Promise<void> {
      await sql.query(
        `UPDATE origins o SET story_id = u.story FROM unnest($1::text[], $2::text[], $3::text[]) AS u(story, s, o_id)
         WHERE o.source_key = u.s AND o.origin_id = u.o_id AND o.story_id IS DISTINCT FROM u.story`,
        [assignments.map((a) => a.storyId), assignments.map((a) => toPg(a.sourceKey)), assignments.map((a) => toPg(a.originId))],
      );
    },
    async keepBodies(bodies): Promise<void> {
      await sql.query(
        `UPDATE origins o SET content_html = CASE WHEN u.keep THEN u.body END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS u(s, o_id, body, keep)
         WHERE o.source_key = u.s AND o.origin_id = u.o_id`,
        [bodies.map((b) => toPg(b.sourceKey)), bodies.map((b) => toPg(b.originId)), bodies.map((b) => toPg(b.contentHtml)), bodies.map((b) => b.keep)],
      );
    },
    async statedAheadOf(storyIds: readonly string[]): Promise<{ storyId: string; titleKey: string; publishedMs: number }[]> {
      const { rows } = await sql.query<{ story_id: string; title_key: string; published_ms: number }>(
        'SELECT story_id, title_key, published_ms FROM origins WHERE story_id = ANY($1::text[]) AND published_ms > first_seen_ms ORDER BY story_id, title_key, published_ms',
        [storyIds],
      );
      return rows.map((row) => ({ storyId: row.story_id, titleKey: fromPgKey(row.title_key), publishedMs: row.published_ms }));
    },
    async dropForStories(ids: readonly string[]): Promise<void> {
      // Pages fetched for full text go with the origins linking to them, so retention bounds that table too.
      await sql.query('DELETE FROM full_text_pages WHERE link IN (SELECT link FROM origins WHERE story_id = ANY($1::text[]) AND link IS NOT NULL)', [ids]);
      await sql.query('DELETE FROM origins WHERE story_id = ANY($1::text[])', [ids]);
    },
  };
}
