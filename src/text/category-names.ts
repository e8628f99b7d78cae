// Category names compare after NFKC, trimming, case folding and traditional → simplified Chinese (as title
// keys do), and name their URL slugs. Shared by ingest (resolving an article's categories) and the config
// check (two configured categories that would fold into one).
import { foldChinese } from './fold-chinese.js';

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
