// Migrations 2 and 4 as they shipped: the trigram index and its background queue. Migration 8
// (search-table.ts) replaces both; fresh databases still pass through them, so they stay as written.
// `html_text` is registered by migrate() on every connection.

/** The migration creating the index (appended to migrations.ts). */
export const SEARCH_MIGRATION = `
  CREATE VIRTUAL TABLE story_search USING fts5(title, body, tokenize = 'trigram');
  CREATE TRIGGER story_search_insert AFTER INSERT ON stories BEGIN
    INSERT INTO story_search (rowid, title, body) VALUES (new.rowid, new.title, html_text(new.content_html));
  END;
  CREATE TRIGGER story_search_update AFTER UPDATE OF title, content_html ON stories BEGIN
    DELETE FROM story_search WHERE rowid = old.rowid;
    INSERT INTO story_search (rowid, title, body) VALUES (new.rowid, new.title, html_text(new.content_html));
  END;
  CREATE TRIGGER story_search_delete AFTER DELETE ON stories BEGIN
    DELETE FROM story_search WHERE rowid = old.rowid;
  END;
  INSERT INTO story_search (rowid, title, body) SELECT rowid, title, html_text(content_html) FROM stories;
`;

/**
 * Migration 4: index in the background. Removing a story's terms from FTS5 costs about as much as
 * adding them (measured: 3.6 vs 4.0 ms for an 11.7 KB article), so edits and deletions are queued too:
 * the queue holds every rowid whose index entry is stale or missing, and the drain replaces the
 * entries of a slice. Searches drain first, so a stale entry is never seen. (NOT EXISTS, not OR IGNORE:
 * a trigger's conflict clause yields to the outer statement's, and storeRun's upsert aborts.)
 */
export const SEARCH_QUEUE_MIGRATION = `
  DROP TRIGGER story_search_insert;
  DROP TRIGGER story_search_update;
  DROP TRIGGER story_search_delete;
  CREATE TABLE search_queue (story_rowid INTEGER PRIMARY KEY);
  CREATE TRIGGER search_queue_insert AFTER INSERT ON stories BEGIN
    INSERT INTO search_queue SELECT new.rowid WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE story_rowid = new.rowid);
  END;
  CREATE TRIGGER search_queue_update AFTER UPDATE OF title, content_html ON stories
    WHEN old.title IS NOT new.title OR old.content_html IS NOT new.content_html BEGIN
    INSERT INTO search_queue SELECT old.rowid WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE story_rowid = old.rowid);
  END;
  CREATE TRIGGER search_queue_delete AFTER DELETE ON stories BEGIN
    INSERT INTO search_queue SELECT old.rowid WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE story_rowid = old.rowid);
  END;
`;
