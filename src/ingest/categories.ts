// Category names compare after NFKC, trimming, case folding and traditional → simplified Chinese (as
// title keys do); configured aliases fold into one name.
import { createSlugJoinTracker, type SlugJoin } from '../config/category-conflicts.js';
import type { CategoryRef } from '../types.js';
import { categoryKey, slugify } from '../text/category-names.js';

export interface CategoryDefinition {
  name: string;
  slug?: string | undefined;
  aliases?: string[] | undefined;
}

export type CategoryResolver = (names: readonly string[]) => CategoryRef[];

/**
 * Builds a resolver from the configured categories: each name or alias maps to its configured
 * name and slug; any other name gets a derived slug. Blank names and names with no letters are dropped,
 * and the result has one entry per slug, in first-seen order. `onSlugJoin` is told, once per name, of a name that
 * joins another category by its slug alone (`finance!` into `Finance`).
 */
export function createCategoryResolver(definitions: readonly CategoryDefinition[], options: { onSlugJoin?: (join: SlugJoin) => void } = {}): CategoryResolver {
  const byKey = new Map<string, CategoryRef>();
  const { onSlugJoin } = options;
  const joinOf = onSlugJoin ? createSlugJoinTracker(definitions.map((def) => ({ ...def, aliases: def.aliases ?? [] }))) : null;
  for (const def of definitions) {
    const ref = { name: def.name.normalize('NFKC').trim(), slug: def.slug ?? slugify(def.name) };
    for (const spelling of [def.name, ...(def.aliases ?? [])]) byKey.set(categoryKey(spelling), ref);
  }
  return (names) => {
    const out = new Map<string, CategoryRef>();
    for (const raw of names) {
      const key = categoryKey(raw);
      const ref = byKey.get(key) ?? { name: raw.normalize('NFKC').trim().replace(/\s+/gu, ' '), slug: slugify(raw) };
      const join = joinOf?.(raw);
      if (join) onSlugJoin!(join);
      if (ref.slug && ref.slug !== 'all' && !out.has(ref.slug)) out.set(ref.slug, ref);
    }
    return [...out.values()];
  };
}
