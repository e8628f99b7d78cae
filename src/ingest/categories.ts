// Category names compare after NFKC, trimming and case folding; configured aliases fold into one name.
import type { CategoryRef } from '../types.js';

export interface CategoryDefinition {
  name: string;
  slug?: string | undefined;
  aliases?: string[] | undefined;
}

/** The comparison key of a category name: `Tech` ≡ `tech`, `新浪财经－国內` ≡ `新浪财经-国內`. */
export function categoryKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** URL slug derived from a name: letters of every script kept, runs of anything else become `-`. */
export function slugify(name: string): string {
  return categoryKey(name)
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

export type CategoryResolver = (names: readonly string[]) => CategoryRef[];

/**
 * Builds a resolver from the configured categories: each name or alias maps to its configured
 * name and slug; any other name gets a derived slug. Blank names and names with no letters are dropped,
 * and the result has one entry per slug, in first-seen order.
 */
export function createCategoryResolver(definitions: readonly CategoryDefinition[]): CategoryResolver {
  const byKey = new Map<string, CategoryRef>();
  for (const def of definitions) {
    const ref = { name: def.name.normalize('NFKC').trim(), slug: def.slug ?? slugify(def.name) };
    for (const spelling of [def.name, ...(def.aliases ?? [])]) byKey.set(categoryKey(spelling), ref);
  }
  return (names) => {
    const out = new Map<string, CategoryRef>();
    for (const raw of names) {
      const key = categoryKey(raw);
      const ref = byKey.get(key) ?? { name: raw.normalize('NFKC').trim().replace(/\s+/gu, ' '), slug: slugify(raw) };
      if (ref.slug && ref.slug !== 'all' && !out.has(ref.slug)) out.set(ref.slug, ref);
    }
    return [...out.values()];
  };
}
