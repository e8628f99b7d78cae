// story_text_chars: each story's text length (body + summary + title, in characters, as the database's
// length() counts them), kept by the database itself so a listing cut to a text budget (text-budget-listing.ts)
// sums it without reading a body. Measuring with length() read every listed body: 75 stories of ~1.9 MB made
// a `?limit=1000` feed wait 1.3–1.5 s on SQLite with the event loop held. A narrow table rather than a column of
// stories: SQLite appends an added column after the body, so reading it walks the body's overflow pages
// (~100 ms for those 75 stories against ~0.1 ms for this table, measured); PostgreSQL's backfill of a column
// would write a new version of every story row.

/** A story's text cost as SQL over the stories row `row` (`new`, `s`…): what the listings used to measure. */
export const measuredTextChars = (row: string): string => `length(${row}.content_html) + length(${row}.summary) + length(${row}.title)`;

// An upsert, not INSERT OR REPLACE: inside a trigger the conflict policy of the statement that fired it (the
// stories upsert: ABORT) overrides OR REPLACE.
const SQLITE_WRITE = `INSERT INTO story_text_chars (id, chars) VALUES (new.id, ${measuredTextChars('new')})
      ON CONFLICT (id) DO UPDATE SET chars = excluded.chars;`;

/**
 * SQLite migration 18: the table, filled for the stories already stored, and triggers that keep it in step with
 * every write of a story (insert, upsert, a changed id, delete), whatever code writes it.
 */
export const SQLITE_TEXT_CHARS_MIGRATION = `
  CREATE TABLE story_text_chars (id TEXT PRIMARY KEY, chars INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO story_text_chars (id, chars) SELECT id, ${measuredTextChars('stories')} FROM stories;
  CREATE TRIGGER story_text_chars_insert AFTER INSERT ON stories BEGIN
    ${SQLITE_WRITE}
  END;
  CREATE TRIGGER story_text_chars_update AFTER UPDATE OF id, title, content_html, summary ON stories BEGIN
    DELETE FROM story_text_chars WHERE id = old.id AND old.id IS NOT new.id;
    ${SQLITE_WRITE}
  END;
  CREATE TRIGGER story_text_chars_delete AFTER DELETE ON stories BEGIN
    DELETE FROM story_text_chars WHERE id = old.id;
  END;
`;

/**
 * PostgreSQL migration 13: as SQLite's 18. The foreign key removes a deleted story's row and follows a changed id;
 * the trigger measures each written story (length() of a stored body reads it back: a write pays, not a read).
 */
export const POSTGRES_TEXT_CHARS_MIGRATION = `
  CREATE TABLE story_text_chars (
    id TEXT COLLATE "C" PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE ON UPDATE CASCADE,
    chars BIGINT NOT NULL
  );
  INSERT INTO story_text_chars (id, chars) SELECT id, ${measuredTextChars('stories')} FROM stories;
  CREATE FUNCTION story_text_chars_write() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO story_text_chars (id, chars) VALUES (NEW.id, ${measuredTextChars('NEW')})
      ON CONFLICT (id) DO UPDATE SET chars = excluded.chars;
    RETURN NULL;
  END $$;
  CREATE TRIGGER story_text_chars_write AFTER INSERT OR UPDATE OF id, title, content_html, summary ON stories
    FOR EACH ROW EXECUTE FUNCTION story_text_chars_write();
`;
