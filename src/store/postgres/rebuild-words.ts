// The rebuild of PostgreSQL's word index for stories stored without their words (before migration 5, or
// copied by copy-store), slice by slice. Only what the index keeps is read and segmented: a story's body
// words are capped at MAX_INDEXED_CHARS, so the body is read as a prefix (`left()` in SQL: the rest never
// reaches Node) and its text cut at a space before segmenting. Reading 50 whole bodies of 1.9 MB and
// segmenting each whole ran a 192 MB web process out of heap, on every restart.
import { HAN, foldForSearch, searchWords } from '../../text/search-words.js';
import { codePoints, htmlToText } from '../../text/html-text.js';
import type { Sql } from './pool.js';
import { toPg } from './pg-text.js';
import { MAX_INDEXED_CHARS, capped, indexedVector } from './story-words.js';

/** Text segmented per story: twice what the index keeps, so the words of normal text go past the cap. */
export const TEXT_READ_CHARS = 2 * MAX_INDEXED_CHARS;
/** HTML read per story at first (markup around the text); more is read only if its text gave too few words. */
const HTML_READ_CHARS = 2 * TEXT_READ_CHARS;
/** HTML characters held at once: stories are read in groups up to this many (at least one story a group). */
const GROUP_READ_CHARS = 2_000_000;
/** The rebuild's progress counts the stories still to index up to this many (the log then says "at least"). */
export const REMAINING_COUNT_CAP = 10_000;

/** A cut body's HTML ends after its last complete tag: a cut tag or entity would leak into the text. */
const wholeTags = (html: string): string => html.slice(0, html.lastIndexOf('>') + 1);

/**
 * The body words of `html` as the index keeps them (`capped(searchWords(htmlToText(body)))`), `html` being the
 * body or, when `cut`, its first characters. A cut text ends at a space, the last word (perhaps cut) dropped: the
 * words before a space are the same whatever follows. `han`: whether the whole text holds Chinese, when known.
 * Null when a cut body gave too few words to be sure.
 */
function prefixWords(html: string, cut: boolean, textChars: number, han: boolean | undefined): string | null {
  let text = htmlToText(cut ? wholeTags(html) : html);
  if (!cut && text.length <= textChars) return capped(searchWords(text, undefined, han));
  const chinese = han ?? HAN.test(foldForSearch(text));
  text = text.slice(0, Math.max(0, text.lastIndexOf(' ', textChars)));
  const words = searchWords(text, undefined, chinese);
  // Past the cap, the kept words (up to the last space at or before MAX_INDEXED_CHARS) are complete.
  return words.length > MAX_INDEXED_CHARS ? capped(words) : null;
}

/**
 * A character that is or folds to Chinese is at U+2E80 (CJK radicals) or above, or written as `&#…;` (every
 * character below was checked: none folds to Chinese), so most bodies without any are passed over unread.
 */
const MAYBE_HAN = /[\u2e80-\uffff]|&#/;
const hasHan = (html: string): boolean => MAYBE_HAN.test(html) && HAN.test(foldForSearch(htmlToText(html)));

/** Whether a body's text holds Chinese anywhere (then jieba cuts all of it), read a part at a time. */
async function bodyHasHan(sql: Sql, id: string): Promise<boolean> {
  // MAYBE_HAN in SQL first: most such bodies have no character that could be Chinese, and none is read.
  const { rows: [maybe] } = await sql.query<{ han: boolean }>(
    String.raw`SELECT strpos(content_html, '&#') > 0 OR content_html ~ '[\u2e80-\U0010ffff]' AS han FROM stories WHERE id = $1`, [id]);
  if (!maybe?.han) return false;
  for (let from = 1; ; ) {
    const { rows: [row] } = await sql.query<{ html: string | null }>(
      'SELECT substr(content_html, $2, $3) AS html FROM stories WHERE id = $1', [id, from, HTML_READ_CHARS]);
    const html = row?.html ?? '';
    // PostgreSQL counts characters, JavaScript UTF-16 units (a character outside the BMP is two).
    if (codePoints(html) < HTML_READ_CHARS) return hasHan(html);
    // Parts end after a tag, so no tag or entity is split between two of them.
    const part = wholeTags(html) || html;
    if (hasHan(part)) return true;
    from += codePoints(part);
  }
}

/** The body words of one story, `html` being its first `htmlChars` + 1 characters (one more tells a cut). */
async function storyBodyWords(sql: Sql, id: string, html: string, htmlChars: number): Promise<string> {
  let han: boolean | undefined;
  for (let [read, chars] = [html, htmlChars]; ; ) {
    const cut = read.length > chars && codePoints(read) > chars;
    // Chinese anywhere decides how all the text is cut: looked for in the rest when the part read has none.
    if (cut && han === undefined) han = hasHan(wholeTags(read)) || (await bodyHasHan(sql, id));
    const words = prefixWords(read, cut, chars / 2, han);
    if (words !== null) return words;
    // Little text in much markup, or few words in much punctuation: read and segment more of it.
    chars *= 4;
    const { rows: [row] } = await sql.query<{ html: string }>('SELECT left(content_html, $2) AS html FROM stories WHERE id = $1', [id, chars + 1]);
    read = row!.html;
  }
}

/** Groups of stories whose HTML read together stays within GROUP_READ_CHARS characters. */
function readGroups(stories: ReadonlyArray<{ id: string; html_bytes: number }>): string[][] {
  const groups: string[][] = [];
  let [group, chars] = [[] as string[], 0];
  for (const { id, html_bytes } of stories) {
    const read = Math.min(html_bytes, HTML_READ_CHARS + 1);
    if (group.length > 0 && chars + read > GROUP_READ_CHARS) [group, chars] = [[], 0];
    if (group.length === 0) groups.push(group);
    group.push(id);
    chars += read;
  }
  return groups;
}

/**
 * Indexes up to `maxStories` stories not indexed yet, in the caller's transaction. The rows are locked
 * (SKIP LOCKED), so two processes rebuilding at once share the work and a writer's newer words are
 * never overwritten by older ones. The lengths come first (octet_length reads no body), then the bodies'
 * prefixes a group at a time.
 */
export async function rebuildWordsSlice(sql: Sql, maxStories: number): Promise<{ indexed: number; remaining: number }> {
  const { rows: waiting } = await sql.query<{ id: string; html_bytes: number }>(
    `SELECT w.id, octet_length(s.content_html) AS html_bytes FROM story_search w JOIN stories s ON s.id = w.id
     WHERE w.words IS NULL ORDER BY w.id LIMIT $1 FOR UPDATE OF w SKIP LOCKED`,
    [Math.max(1, Math.floor(maxStories))],
  );
  for (const ids of readGroups(waiting)) {
    const { rows } = await sql.query<{ id: string; title: string; html: string }>(
      'SELECT id, title, left(content_html, $2) AS html FROM stories WHERE id = ANY($1::text[])',
      [ids, HTML_READ_CHARS + 1],
    );
    const bodies: string[] = [];
    for (const row of rows) bodies.push(toPg(await storyBodyWords(sql, row.id, row.html, HTML_READ_CHARS)));
    await sql.query(
      `UPDATE story_search SET words = ${indexedVector('u.title', 'u.body', 'story_search.published_ms')}
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, title, body) WHERE story_search.id = u.id`,
      [rows.map((row) => row.id), rows.map((row) => toPg(searchWords(row.title))), bodies],
    );
  }
  // Counted up to REMAINING_COUNT_CAP: an exact count walked every unindexed story again on every slice.
  const { rows: [left] } = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM story_search WHERE words IS NULL LIMIT ${REMAINING_COUNT_CAP}) u`,
  );
  return { indexed: waiting.length, remaining: Number(left!.n) };
}
