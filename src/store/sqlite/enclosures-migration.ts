// SQLite: the media enclosures (podcast audio, video) of each origin and of each merged story, as JSON
// arrays of {url, type, length} (stored-rows.ts). Rows stored before it hold `[]` until their feed is read again.
export const ENCLOSURES_MIGRATION = `
  ALTER TABLE origins ADD COLUMN enclosures_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE stories ADD COLUMN enclosures_json TEXT NOT NULL DEFAULT '[]';
`;
