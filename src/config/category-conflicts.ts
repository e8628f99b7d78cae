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
