// A source's `filter:` applied to its normalized articles: which are stored, and which rule dropped
// each of the others (the grammar and matching are config/filter-rules.ts).
import { compileFilter, filteredBy, lazySubject, type FilterConfig } from '../config/filter-rules.js';
import { htmlToText } from '../text/html-text.js';
import type { StoreRunInput } from '../store/store.js';
import type { Article } from '../types.js';

/** An article the filter dropped, and the rule that did (`block: RULE` or `keep: no rule matched`). */
export interface DroppedArticle {
  article: Article;
  filteredBy: string;
}

export interface FilterOutcome {
  kept: Article[];
  dropped: DroppedArticle[];
  /** The filter's fingerprint (config/filter-rules.ts); null without a filter. */
  fingerprint: string | null;
}

/** One candidate: the normalized article and the categories its item named itself (not kept on Article). */
export interface FilterCandidate {
  article: Article;
  itemCategories: readonly string[];
}

/**
 * Splits the candidates by the filter. `category:` rules see the item's own categories and the
 * source's (`sourceCategories`, as configured).
 */
export function applySourceFilter(filter: FilterConfig | undefined, candidates: readonly FilterCandidate[], sourceCategories: readonly string[]): FilterOutcome {
  if (!filter) return { kept: candidates.map((c) => c.article), dropped: [], fingerprint: null };
  const compiled = compileFilter(filter);
  const outcome: FilterOutcome = { kept: [], dropped: [], fingerprint: compiled.fingerprint };
  for (const { article, itemCategories } of candidates) {
    const rule = filteredBy(compiled, lazySubject({
      title: article.title,
      author: article.author,
      link: article.link,
      categories: [...itemCategories, ...sourceCategories, ...article.categories.map((c) => c.name)],
    }, article.contentHtml, htmlToText));
    if (rule === null) outcome.kept.push(article);
    else outcome.dropped.push({ article, filteredBy: rule });
  }
  return outcome;
}

/** What the store records of a filtered run (undefined without a filter: nothing to record or check). */
export function filterRecords(outcome: FilterOutcome): StoreRunInput['filter'] {
  if (outcome.fingerprint === null) return undefined;
  return {
    fingerprint: outcome.fingerprint,
    dropped: outcome.dropped.map(({ article, filteredBy }) => ({ originId: article.originId, title: article.title, rule: filteredBy })),
  };
}
