// The grammar of configured site rules: which CSS selectors and text patterns the config accepts, and
// their compiled forms. Config owns it so the schema can validate rules without importing the ingest
// stage (ingest/clean/site-rules.ts applies them).
import { createRequire } from 'node:module';
import type * as CheerioSlim from 'cheerio/slim';

// cheerio is loaded on the first complex selector, never at startup (the full entry pulls in parse5 and
// undici: ~24 MB RSS). The slim entry parses with htmlparser2 like the sanitizer does; required (not imported)
// so it shares sanitize-html's CommonJS htmlparser2 and the call stays synchronous.
const require = createRequire(import.meta.url);
let cheerio: typeof CheerioSlim | undefined;
export function loadCheerio(...args: Parameters<typeof CheerioSlim.load>): ReturnType<typeof CheerioSlim.load> {
  cheerio ??= require('cheerio/slim') as typeof CheerioSlim;
  return cheerio.load(...args);
}


/** Decides from a tag name and its original attributes, at the opening tag. */
export type ElementMatcher = (tag: string, attribs: Record<string, string>) => boolean;

// ---- simple selectors: tag, *, .class, #id, [attr], [attr op value], compounds, comma lists ----

const IDENT = String.raw`-?[_a-zA-Z\u00a0-\uffff][-_a-zA-Z0-9\u00a0-\uffff]*`;
const TOKEN = new RegExp(
  String.raw`^(?:(${IDENT}|\*)|#(${IDENT})|\.(${IDENT})|\[\s*(${IDENT})\s*(?:([~|^$*]?=)\s*(?:"([^"]*)"|'([^']*)'|(${IDENT}))\s*)?\])`,
);

type Check = (tag: string, attribs: Record<string, string>) => boolean;

function hasClass(attribs: Record<string, string>, name: string): boolean {
  const cls = attribs.class;
  return cls !== undefined && cls.split(/\s+/).includes(name);
}

function attrCheck(name: string, op: string | undefined, value: string): Check {
  const key = name.toLowerCase();
  switch (op) {
    case undefined:
      return (_t, a) => a[key] !== undefined;
    case '=':
      return (_t, a) => a[key] === value;
    case '~=':
      return (_t, a) => a[key] !== undefined && a[key].split(/\s+/).includes(value);
    case '|=':
      return (_t, a) => a[key] === value || (a[key]?.startsWith(`${value}-`) ?? false);
    case '^=':
      return (_t, a) => value !== '' && (a[key]?.startsWith(value) ?? false);
    case '$=':
      return (_t, a) => value !== '' && (a[key]?.endsWith(value) ?? false);
    default: // '*='
      return (_t, a) => value !== '' && (a[key]?.includes(value) ?? false);
  }
}

/** One compound selector as a matcher, or null when it needs a DOM (combinator, pseudo-class…). */
export function compileCompound(selector: string): ElementMatcher | null {
  let rest = selector.trim();
  if (!rest) return null;
  const checks: Check[] = [];
  let first = true;
  while (rest) {
    const m = TOKEN.exec(rest);
    if (!m) return null;
    const [whole, tag, id, cls, attr, op, dq, sq, bare] = m;
    if (tag !== undefined) {
      if (!first) return null; // a type selector only leads a compound
      if (tag !== '*') {
        const lower = tag.toLowerCase();
        checks.push((t) => t === lower);
      }
    } else if (id !== undefined) {
      checks.push((_t, a) => a.id === id);
    } else if (cls !== undefined) {
      checks.push((_t, a) => hasClass(a, cls));
    } else if (attr !== undefined) {
      checks.push(attrCheck(attr, op, dq ?? sq ?? bare ?? ''));
    }
    rest = rest.slice(whole.length);
    first = false;
  }
  return (tag, attribs) => checks.every((check) => check(tag, attribs));
}

/** Splits a selector list on top-level commas (not inside brackets or quotes). */
function splitSelectorList(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

/** A selector (list) as a matcher, or null when any part needs a DOM. */
export function compileSelector(selector: string): ElementMatcher | null {
  const matchers: ElementMatcher[] = [];
  for (const part of splitSelectorList(selector)) {
    const m = compileCompound(part);
    if (!m) return null;
    matchers.push(m);
  }
  return matchers.length === 1 ? matchers[0]! : (t, a) => matchers.some((m) => m(t, a));
}

export function compilePattern(pattern: string): RegExp | null {
  for (const flags of ['su', 's']) {
    try {
      // Whole-text semantics: the pattern has to cover the block's entire trimmed text.
      return new RegExp(`^(?:${pattern})$`, flags);
    } catch {
      /* try the next flag set */
    }
  }
  return null;
}

export function selectorIsValid(selector: string): boolean {
  try {
    loadCheerio('<p></p>', null, false)(selector);
    return true;
  } catch {
    return false;
  }
}

/** The parts of configured rules that have a grammar. */
export interface SiteRuleLists {
  remove?: readonly string[] | undefined;
  dropText?: readonly string[] | undefined;
}

/** One problem in configured rules, with its place inside the rules object (`['remove', 0]`). */
export interface SiteRuleProblem {
  path: [string, number];
  message: string;
}

/** Problems in configured rules (invalid selector or regex), each with its path; empty when fine. */
export function siteRuleProblems(rules: SiteRuleLists): SiteRuleProblem[] {
  const problems: SiteRuleProblem[] = [];
  (rules.remove ?? []).forEach((selector, index) => {
    if (!compileSelector(selector) && !selectorIsValid(selector)) {
      problems.push({ path: ['remove', index], message: `invalid CSS selector "${selector}"` });
    }
  });
  (rules.dropText ?? []).forEach((pattern, index) => {
    if (!compilePattern(pattern)) problems.push({ path: ['dropText', index], message: `invalid regular expression "${pattern}"` });
  });
  return problems;
}

/** Problems in configured rules (invalid selector or regex), one message each; empty when fine. */
export function validateSiteRules(rules: SiteRuleLists): string[] {
  return siteRuleProblems(rules).map((problem) => `${problem.path[0]}: ${problem.message}`);
}
