// PostgreSQL: the media enclosures (podcast audio, video) of each origin and of each merged story, as JSON
// arrays of {url, type, length} (stored-rows.ts). Rows stored before it hold `[]` until their feed is read again,
// so the sources' validators are forgotten: the next poll reads every feed whole instead of getting a 304.
export const ENCLOSURES_MIGRATION = `
  ALTER TABLE origins ADD COLUMN enclosures_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE stories ADD COLUMN enclosures_json TEXT NOT NULL DEFAULT '[]';
  UPDATE sources SET etag = NULL, last_modified = NULL;
`;
