// `fullText:` on a source: fetch each new item's page and publish its article instead of the feed's summary.
// `true` lets Readability find the article; `{ selector, remove }` names it with CSS selectors.
import { z } from 'zod';
import { selectorIsValid } from './site-rule-grammar.js';

/** Page fetches per source run at most, unless `fullText.maxPages` says otherwise. */
export const DEFAULT_FULL_TEXT_PAGES = 10;
/** Extractions with less visible text than this keep the feed's summary (paywalls, consent walls, empty pages). */
export const DEFAULT_FULL_TEXT_MIN_LENGTH = 200;

const selector = z.string().trim().min(1).refine(selectorIsValid, { error: (issue) => `invalid CSS selector "${String(issue.input)}"` });

const fullTextOptions = z.strictObject({
  /** CSS selector of the article's element(s); absent: Readability finds the article. */
  selector: selector.optional(),
  /** CSS selectors removed from the article before cleaning. */
  remove: z.array(selector).default([]),
  maxPages: z.number().int().min(1).max(100).default(DEFAULT_FULL_TEXT_PAGES),
  minLength: z.number().int().min(0).default(DEFAULT_FULL_TEXT_MIN_LENGTH),
});

export const fullTextSchema = z.union([z.boolean(), fullTextOptions]);

export type FullTextConfig = z.infer<typeof fullTextOptions>;

/** The source's full-text settings, or null when it is off. */
export function fullTextOf(value: z.infer<typeof fullTextSchema> | undefined): FullTextConfig | null {
  if (value === undefined || value === false) return null;
  if (value === true) return { remove: [], maxPages: DEFAULT_FULL_TEXT_PAGES, minLength: DEFAULT_FULL_TEXT_MIN_LENGTH };
  return value;
}
