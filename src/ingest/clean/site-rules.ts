// Site rules: boilerplate removal that runs before the allow-list sanitizer. Rules are compiled once per
// rules object into matchers the sanitizer's single parse can apply (clean-html.ts); only selectors with
// combinators or pseudo-classes need a separate cheerio pass.
import type { SiteRules } from '../../config/schema.js';
import { compilePattern, compileSelector, loadCheerio, selectorIsValid, type ElementMatcher } from '../../config/site-rule-grammar.js';

export { compileCompound, compileSelector, validateSiteRules, type ElementMatcher } from '../../config/site-rule-grammar.js';

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
  const $ = loadCheerio(html, null, false);
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
