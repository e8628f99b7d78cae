// Configured categories that would be merged silently: two entries whose names or aliases fold to one name, or
// that share a URL slug, became one category under whichever came last; a name without a letter or digit has
// no slug, and the slug `all` is the feed of every article, so both were dropped from every article.
import { categoryKey, slugify } from '../text/category-names.js';

export interface CategoryEntry {
  name: string;
  slug?: string | undefined;
  aliases: string[];
}

export interface CategoryProblem {
  path: (string | number)[];
  message: string;
}

export function categoryConflicts(categories: readonly CategoryEntry[]): CategoryProblem[] {
  const problems: CategoryProblem[] = [];
  const byKey = new Map<string, number>();
  const bySlug = new Map<string, number>();
  categories.forEach((category, index) => {
    const spellings: [(string | number)[], string][] = [[['name'], category.name], ...category.aliases.map((alias, i): [(string | number)[], string] => [['aliases', i], alias])];
    let nameTaken = false;
    for (const [at, spelling] of spellings) {
      const key = categoryKey(spelling);
      const other = byKey.get(key);
      if (other !== undefined && other !== index) {
        nameTaken ||= at[0] === 'name';
        problems.push({ path: ['categories', index, ...at], message: `"${spelling}" is already categories[${other}] ("${categories[other]!.name}"): names compare ignoring case, width and traditional/simplified Chinese; make it an alias there` });
      } else byKey.set(key, index);
    }
    // A taken name's derived slug is taken too: one message says it.
    if (nameTaken && category.slug === undefined) return;
    const slug = category.slug ?? slugify(category.name);
    const at = category.slug === undefined ? 'name' : 'slug';
    const other = bySlug.get(slug);
    if (slug === '') problems.push({ path: ['categories', index, 'name'], message: `"${category.name}" has no letter or digit to make a URL slug of; give it a slug` });
    else if (slug === 'all') problems.push({ path: ['categories', index, at], message: 'the slug "all" is the feed of every article; choose another name or slug' });
    else if (other !== undefined) problems.push({ path: ['categories', index, at], message: `slug "${slug}" is already categories[${other}]'s ("${categories[other]!.name}")` });
    else bySlug.set(slug, index);
  });
  return problems;
}

/** A category name unlike every configured name and alias whose URL slug is another category's: it joins that one. */
export interface SlugJoin {
  name: string;
  /** The category it joins: the configured one, or the first name met with that slug. */
  joins: string;
  slug: string;
}

/**
 * Tells which names met at run time (a source's or the seed folder's categories, a seed file's front matter) join
 * another category by their slug alone: `finance!` and a configured `Finance` are one category, `finance`, which is
 * what a user wants, but a merge by punctuation should be visible, so each such name is told once.
 */
export function createSlugJoinTracker(configured: readonly Pick<CategoryEntry, 'name' | 'slug' | 'aliases'>[]): (name: string) => SlugJoin | null {
  const configuredKeys = new Set<string>();
  // The name holding each slug: the configured category's, else the first name met with it.
  const holders = new Map<string, string>();
  for (const category of configured) {
    for (const spelling of [category.name, ...category.aliases]) configuredKeys.add(categoryKey(spelling));
    holders.set(category.slug ?? slugify(category.name), category.name.normalize('NFKC').trim());
  }
  // Each key is decided once (a holder of its slug, or told as joining), so a scan of many files stays cheap.
  const decided = new Set<string>();
  return (name) => {
    const key = categoryKey(name);
    if (configuredKeys.has(key) || decided.has(key)) return null;
    decided.add(key);
    const slug = slugify(name);
    if (slug === '' || slug === 'all') return null;
    const holder = holders.get(slug);
    if (holder === undefined) holders.set(slug, name.normalize('NFKC').trim());
    return holder === undefined ? null : { name, joins: holder, slug };
  };
}

/**
 * check-config's notes: each category name of a source or of the seed folder that joins another category by its
 * slug, by YAML path (`sources[1].categories[0]: "finance!" joins "Finance" …`). Seed files' own categories are
 * met when scanned: the log tells those.
 */
export function slugJoinNotes(config: {
  categories: readonly CategoryEntry[];
  sources: readonly { categories: readonly string[] }[];
  seedFolder?: { categories: readonly string[] } | undefined;
}): string[] {
  const joinOf = createSlugJoinTracker(config.categories);
  const named: [string, string][] = [
    ...config.sources.flatMap((source, i) => source.categories.map((name, j): [string, string] => [`sources[${i}].categories[${j}]`, name])),
    ...(config.seedFolder?.categories ?? []).map((name, j): [string, string] => [`seedFolder.categories[${j}]`, name]),
  ];
  return named.flatMap(([at, name]) => {
    const join = joinOf(name);
    return join ? [`${at}: "${name}" joins category "${join.joins}" (same slug ${join.slug}); add it to that category's aliases to say so`] : [];
  });
}
