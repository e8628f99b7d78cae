// The grammar of `filter:` rules (on a source or a category) and their compiled form. Config owns it so
// the schema reports a bad rule at load time with its place (`sources[2].filter.block[0]`); ingest and
// publish apply the compiled rules.
//
// Rules run on re2js, a pure-JavaScript port of RE2: matching is linear in the input whatever the
// pattern, so a rule like `(a+)+$` cannot hang a run (README "Filters" has the measurement). The price is
// RE2's syntax: no backreferences or lookaround, which are config errors here.
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';

/** The fields a rule can name with a prefix; an unprefixed rule tests `title` and `content`. */
export const FILTER_FIELDS = ['title', 'content', 'author', 'link', 'category'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** What rules are matched against: plain text, and every category name (the item's own and its source's). */
export interface FilterSubject {
  title: string;
  /** The body as plain text (a getter where extracting it costs: read only when a rule gets that far). */
  readonly content: string;
  author: string | null;
  link: string | null;
  categories: readonly string[];
}

export interface FilterConfig {
  block?: readonly string[] | undefined;
  keep?: readonly string[] | undefined;
}

export interface CompiledRule {
  /** The rule as written in the config. */
  text: string;
  test(subject: FilterSubject): boolean;
}

export interface CompiledFilter {
  block: CompiledRule[];
  /** Null when no keep list is given (everything not blocked is kept). */
  keep: CompiledRule[] | null;
  /** Changes whenever the rules do: a drop recorded under other rules is decided again. */
  fingerprint: string;
}

/** The `filteredBy` of an article no keep rule matched. */
export const KEEP_MISS = 'keep: no rule matched';

const PREFIX = new RegExp(`^(${FILTER_FIELDS.join('|')}):`);
// Go, RE2 and Python spell case-insensitivity as a leading `(?i)`; JavaScript's RegExp has no such syntax.
const CASE_INSENSITIVE = /^\(\?i\)/;

/** Compiles one rule; throws an Error whose message says what is wrong with the expression. */
export function compileRule(text: string): CompiledRule {
  const prefix = PREFIX.exec(text);
  const field = prefix ? (prefix[1] as FilterField) : null;
  let pattern = prefix ? text.slice(prefix[0].length) : text;
  let flags = 0;
  if (CASE_INSENSITIVE.test(pattern)) {
    pattern = pattern.replace(CASE_INSENSITIVE, '');
    flags |= RE2JS.CASE_INSENSITIVE;
  }
  if (pattern === '') throw new Error('empty regular expression');
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, flags);
  } catch (error) {
    // re2js says "error parsing regexp: missing closing ): `a(b`"; lookaround and backreferences land here too.
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /\(\?[=!<]|\\[1-9]/.test(pattern) ? ' (rules use RE2 syntax: no lookaround, no backreferences)' : '';
    throw new Error(`invalid regular expression: ${reason}${hint}`);
  }
  const matches = (value: string | null): boolean => value !== null && value !== '' && re.test(value);
  const test = ((): CompiledRule['test'] => {
    switch (field) {
      case null:
        return (s) => matches(s.title) || matches(s.content);
      case 'category':
        return (s) => s.categories.some(matches);
      default:
        return (s) => matches(s[field]);
    }
  })();
  return { text, test };
}

/** A subject whose `content` is the text of `html`, extracted on first read and kept. */
export function lazySubject(fields: Omit<FilterSubject, 'content'>, html: string, toText: (html: string) => string): FilterSubject {
  let text: string | undefined;
  return {
    ...fields,
    get content() {
      text ??= toText(html);
      return text;
    },
  };
}

/** Every rule of a filter that does not compile, with its place under the filter. */
export function filterRuleProblems(filter: FilterConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const list of ['block', 'keep'] as const) {
    filter[list]?.forEach((text, index) => {
      try {
        compileRule(text);
      } catch (error) {
        problems.push({ path: [list, index], message: (error as Error).message });
      }
    });
  }
  return problems;
}

/** Compiled filters by config object: a loaded config lives until a reload, so each filter compiles once, not every poll. */
const compiledByConfig = new WeakMap<FilterConfig, CompiledFilter>();

/** The compiled filter; the config was validated, so every rule compiles. */
export function compileFilter(filter: FilterConfig): CompiledFilter {
  const kept = compiledByConfig.get(filter);
  if (kept) return kept;
  const block = (filter.block ?? []).map(compileRule);
  const keep = filter.keep ? filter.keep.map(compileRule) : null;
  const fingerprint = createHash('sha256').update(JSON.stringify([filter.block ?? [], filter.keep ?? null])).digest('hex').slice(0, 16);
  const compiled = { block, keep, fingerprint };
  compiledByConfig.set(filter, compiled);
  return compiled;
}

/**
 * Why the filter drops this subject (`block: RULE`, or KEEP_MISS), or null when it is kept.
 * Block wins: a blocked article is dropped even when a keep rule matches it.
 */
export function filteredBy(filter: CompiledFilter, subject: FilterSubject): string | null {
  for (const rule of filter.block) if (rule.test(subject)) return `block: ${rule.text}`;
  if (filter.keep && !filter.keep.some((rule) => rule.test(subject))) return KEEP_MISS;
  return null;
}
