// Stories of megabytes each copied into a PostgreSQL store without their words, as `copy-store` leaves them
// (story_search.words NULL, for the rebuild to index): cloned in SQL from one stored story, so the test sends
// no megabytes and indexes nothing on the way in.
import { withPostgresClient } from './store-backends.js';

/** A paragraph of Chinese news text (46 characters) and one of English (57). */
export const CHINESE_PARAGRAPH = '<p>中华人民共和国的大学生在北京参加了新闻发布会，记者报道了经济发展和科技创新的最新情况。</p>';
export const ENGLISH_PARAGRAPH = '<p>The harbour council met again on Tuesday to discuss the new ferry timetable.</p>';

/**
 * Adds `count` stories cloned from the stored story `fromId`, each body `paragraph` repeated up to `bodyChars`
 * characters, ids `${prefix}-1`…, all waiting for the word index.
 */
export async function cloneBigStories(url: string, fromId: string, prefix: string, count: number, paragraph: string, bodyChars: number): Promise<void> {
  await withPostgresClient(url, async (client) => {
    await client.query(
      `INSERT INTO stories SELECT (jsonb_populate_record(s, jsonb_build_object(
         'id', $2 || '-' || n, 'title', $2 || ' story ' || n, 'title_key', $2 || ' story ' || n, 'summary', 'Big story ' || n,
         'content_html', repeat($3::text, $4::int)))).*
       FROM stories s, generate_series(1, $5::int) n WHERE s.id = $1`,
      [fromId, prefix, paragraph, Math.ceil(bodyChars / paragraph.length), count],
    );
    await client.query(
      `INSERT INTO story_search (id, published_ms, words) SELECT id, published_ms, NULL FROM stories WHERE id LIKE $1 || '-%'`,
      [prefix],
    );
  });
}
