// Category names compare after NFKC, trimming, case folding and traditional → simplified Chinese (as
// title keys do); configured aliases fold into one name.
import type { CategoryRef } from '../types.js';
import { foldChinese } from '../text/fold-chinese.js';

export interface CategoryDefinition {
  name: string;
  slug?: string | undefined;
  aliases?: string[] | undefined;
}

const folded = new Map<string, string>();
const FOLD_CACHE_LIMIT = 10_000;

/** The comparison key of a category name: `Tech` ≡ `tech`, `新浪财经－国內` ≡ `新浪财经-国内`. */
export function categoryKey(name: string): string {
  const hit = folded.get(name);
  if (hit !== undefined) return hit;
  // Special casings folded as in titleKey (ß ≡ ss); Chinese folded to simplified (國內 ≡ 国内).
  const key = foldChinese(name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, 'σ'));
  // A handful of names recur on every article: remember them, within a bound.
  if (folded.size >= FOLD_CACHE_LIMIT) folded.clear();
  folded.set(name, key);
  return key;
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
