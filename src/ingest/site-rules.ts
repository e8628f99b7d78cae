// Site rules: boilerplate removal that runs before the allow-list sanitizer. Rules are compiled once per
// rules object into matchers the sanitizer's single parse can apply (clean-html.ts); only selectors with
// combinators or pseudo-classes need a separate cheerio pass.
import { createRequire } from 'node:module';
import type * as CheerioSlim from 'cheerio/slim';
import type { SiteRules } from '../config/schema.js';

// cheerio is loaded on the first complex selector, never at startup (the full entry pulls in parse5 and
// undici: ~24 MB RSS). The slim entry parses with htmlparser2 like the sanitizer does; required (not imported)
// so it shares sanitize-html's CommonJS htmlparser2 and the call stays synchronous.
const require = createRequire(import.meta.url);
let cheerio: typeof CheerioSlim | undefined;
function load(...args: Parameters<typeof CheerioSlim.load>): ReturnType<typeof CheerioSlim.load> {
  cheerio ??= require('cheerio/slim') as typeof CheerioSlim;
  return cheerio.load(...args);
}

/** Decides from a tag name and its original attributes, at the opening tag. */
export type ElementMatcher = (tag: string, attribs: Record<string, string>) => boolean;

/** A rule that removes elements, decided at the opening tag (`remove` selectors). */
export interface RemoveRule {
  name: string;
  match: ElementMatcher;
}
/** A rule that removes a block element whose whole trimmed text passes `test`. */
export interface TextRule {
  name: string;
  test: (trimmedText: string) => boolean;
}

export interface CompiledRules {
  remove: RemoveRule[];
  /** Elements removed only when they turn out empty (no text, no image). */
  removeEmpty: RemoveRule[];
  dropText: TextRule[];
  /** Loose text nodes dropped wherever they stand (built-in promotions). */
  dropTextNode: TextRule[];
  /** Lower-cased attribute names stripped from every element. */
  stripAttributes: ReadonlySet<string>;
  /** Selectors that need a real DOM (combinators, pseudo-classes). */
  complexSelectors: string[];
}

export interface BuiltinRule {
  name: string;
  description: string;
  remove?: string[];
  removeEmpty?: string[];
  dropText?: RegExp[];
  /** Longest text `dropText` may match: a prefix pattern must not swallow a wrapper. */
  maxTextLength?: number;
  dropTextNode?: RegExp[];
}

/** The app slogan, alone or with its "尽在…APP" tail (any app name, short: a sentence is content). */
const SINA_APP_PROMO = /^海量资讯\s*[、，,]?\s*精准解读(?:\s*[，,、]?\s*尽在[^，,。]{0,12}?\s*(?:APP|客户端))?\s*[。.!！]?$/i;

/** Boilerplate known from the seed shape (DESIGN §3, §5). */
export const builtinRules: readonly BuiltinRule[] = [
  {
    name: 'builtin:qr-ad',
    description: 'the end-of-article QR-code block and the "海量资讯、精准解读…APP" promotion',
    remove: ['.appendQr_wrap'],
    dropText: [SINA_APP_PROMO],
    dropTextNode: [SINA_APP_PROMO],
  },
  {
    name: 'builtin:editor',
    description: 'the editor credit line (责任编辑：…)',
    remove: ['p.article-editor'],
    dropText: [/^责任编辑\s*[：:]/],
    maxTextLength: 80,
  },
  {
    name: 'builtin:stock-quote',
    description: 'empty live stock-quote placeholders',
    removeEmpty: ['span[id^="quote_"]'],
  },
];

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

function compilePattern(pattern: string): RegExp | null {
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

function selectorIsValid(selector: string): boolean {
  try {
    load('<p></p>', null, false)(selector);
    return true;
  } catch {
    return false;
  }
}

/** One problem in configured rules, with its place inside the rules object (`['remove', 0]`). */
export interface SiteRuleProblem {
  path: [string, number];
  message: string;
}

/** Problems in configured rules (invalid selector or regex), each with its path; empty when fine. */
export function siteRuleProblems(rules: Partial<SiteRules>): SiteRuleProblem[] {
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
export function validateSiteRules(rules: Partial<SiteRules>): string[] {
  return siteRuleProblems(rules).map((problem) => `${problem.path[0]}: ${problem.message}`);
}

function compileBuiltins(): CompiledRules {
  const compiled = emptyRules();
  for (const rule of builtinRules) {
    for (const sel of rule.remove ?? []) compiled.remove.push({ name: rule.name, match: compileSelector(sel)! });
    for (const sel of rule.removeEmpty ?? []) compiled.removeEmpty.push({ name: rule.name, match: compileSelector(sel)! });
    const max = rule.maxTextLength ?? Infinity;
    for (const re of rule.dropText ?? []) compiled.dropText.push({ name: rule.name, test: (t) => t.length <= max && re.test(t) });
    for (const re of rule.dropTextNode ?? []) compiled.dropTextNode.push({ name: rule.name, test: (t) => re.test(t) });
  }
  return compiled;
}

function emptyRules(): CompiledRules {
  return { remove: [], removeEmpty: [], dropText: [], dropTextNode: [], stripAttributes: new Set(), complexSelectors: [] };
}

const builtinOnly = compileBuiltins();
const noRules = emptyRules();
const cache = new WeakMap<SiteRules, CompiledRules>();

/**
 * Compiled form of a source's rules (built-ins first unless `builtin: false`), cached per rules object.
 * Invalid selectors and patterns are skipped here; `validateSiteRules` reports them at config time.
 */
export function compileSiteRules(rules: SiteRules | undefined): CompiledRules {
  if (!rules) return builtinOnly;
  const hit = cache.get(rules);
  if (hit) return hit;
  const base = rules.builtin === false ? noRules : builtinOnly;
  const compiled: CompiledRules = {
    remove: [...base.remove],
    removeEmpty: [...base.removeEmpty],
    dropText: [...base.dropText],
    dropTextNode: [...base.dropTextNode],
    stripAttributes: new Set((rules.stripAttributes ?? []).map((a) => a.trim().toLowerCase())),
    complexSelectors: [],
  };
  for (const selector of rules.remove ?? []) {
    const match = compileSelector(selector);
    if (match) compiled.remove.push({ name: `remove:${selector}`, match });
    else if (selectorIsValid(selector)) compiled.complexSelectors.push(selector);
  }
  for (const pattern of rules.dropText ?? []) {
    const re = compilePattern(pattern);
    if (re) compiled.dropText.push({ name: `dropText:${pattern}`, test: (t) => re.test(t) });
  }
  cache.set(rules, compiled);
  return compiled;
}

/**
 * The fallback pass for selectors a single streaming parse cannot decide. Costs a second parse, so it
 * only runs when such a selector is configured. Adds `remove:<selector>` to `fired` for each that matched,
 * and the src (as written) of every image it removed to `removedImages`.
 */
export function removeComplexSelectors(
  html: string,
  selectors: readonly string[],
  fired: Set<string>,
  removedImages: string[] = [],
): string {
  const $ = load(html, null, false);
  let changed = false;
  for (const selector of selectors) {
    const found = $(selector);
    if (found.length) {
      found.find('img').addBack('img').each((_i, el) => {
        const src = $(el).attr('src');
        if (src) removedImages.push(src);
      });
      found.remove();
      fired.add(`remove:${selector}`);
      changed = true;
    }
  }
  return changed ? $.html() : html;
}
