// PostgreSQL text cannot hold U+0000, which SQLite can: the store's synthetic title key of an untitled
// origin starts with it (row-hashes.ts storedTitleKey). Title keys hold only letters and digits, so
// U+0001 stands in for it here, both ways; any other U+0000 in written text becomes U+0001 too.

export const toPg = (text: string): string => (text.includes('\u0000') ? text.replace(/\u0000/g, '\u0001') : text);

/** A title key as read back: the untitled marker restored. */
export const fromPgKey = (key: string): string => (key.startsWith('\u0001') ? `\u0000${key.slice(1)}` : key);

/** Text values made storable; other values unchanged. */
export const pgValue = <T>(value: T): T => (typeof value === 'string' ? (toPg(value) as T) : value);

/** Column arrays of `rows` for an unnest(...) insert. */
export function columnArrays<R, K extends keyof R>(rows: readonly R[], columns: readonly (readonly [K, string])[]): unknown[] {
  return columns.map(([name]) => rows.map((row) => pgValue(row[name])));
}
