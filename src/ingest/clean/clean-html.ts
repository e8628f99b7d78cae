// Article HTML cleaning (DESIGN §5): site rules, then the allow-list sanitizer, absolute URLs, no
// trackers, no empty leftovers. Everything but selectors with combinators happens inside one
// sanitize-html parse: rules are decided in its hooks rather than in a DOM pass of their own.
import sanitizeHtml from 'sanitize-html';
import type { SiteRules } from '../../config/schema.js';
import {
  IMAGE_SCHEMES,
  LINK_SCHEMES,
  declaredSmall,
  isPlaceholderImage,
  isTrackingImage,
  parseBase,
  resolveSrcset,
  resolveUrl,
  stripTrackingParams,
  type UrlRules,
} from './clean-urls.js';
import { collapseWhitespace } from './plain-text.js';
import { compileSiteRules, removeComplexSelectors, type CompiledRules } from './site-rules.js';
import { ALLOWED, ALLOWED_ATTRIBUTES, BLOCKS, CONTENT_VOIDS, NON_TEXT, REMOVE_WHEN_EMPTY, RENAME, sanitizeOptions } from './allow-list.js';

export { MIN_LEAD_IMAGE_PX, declaredSmall, isTrackingImage } from './clean-urls.js';
export { builtinRules, validateSiteRules } from './site-rules.js';
export { plainTitle, summarize } from './plain-text.js';
export { sanitizeOptions } from './allow-list.js';

export interface CleanOptions {
  /** Base for relative URLs; relative URLs are dropped when there is none. */
  baseUrl?: string | null;
  /** Per-source rules; undefined → built-in rules only. */
  rules?: SiteRules | undefined;
  /** Configured tracking parameters and placeholder images, beside the built-in ones. */
  urls?: UrlRules | undefined;
}

export interface CleanResult {
  html: string;
  /** Names of the rules that removed something, in first-fired order. */
  firedRules: string[];
  /** Absolute src of every kept <img>, in document order. */
  images: string[];
  /** The kept images that may lead the article: not declared smaller than MIN_LEAD_IMAGE_PX. */
  leadCandidates: string[];
  /**
   * Absolute src of images removed with boilerplate (site rules, trackers): a front-matter image
   * equal to one of these is the ad's image, not the article's.
   */
  removedImages: string[];
}


const NOT_BLANK = /[^\s\u200b\u200c\u200d\u2060]/;
/** Longer blocks are content, never boilerplate: dropText does not look at them (nor copy their text). */
const MAX_BOILERPLATE_TEXT = 1000;

/** One element as the parser reported it, tracked beside sanitize-html's own stack. */
interface Rec {
  tag: string;
  /** Name written out (after renames); a removed disallowed tag is renamed to an allowed one. */
  outTag: string;
  /** Removed by a rule or as a tracker; its output is cut at its closing tag. */
  drop: boolean;
  /** Inside an element sanitize-html skips wholesale (script, svg…): hooks other than ours never see it. */
  skipped: boolean;
  /** Inside a dropped element: everything here goes anyway. */
  doomed: boolean;
  hasMedia: boolean;
  /** Holds visible text (seen by textFilter, so no copy of sanitize-html's accumulated text is needed). */
  hasText: boolean;
  imageStart: number;
  leadStart: number;
  /** An <img> declared smaller than MIN_LEAD_IMAGE_PX. */
  small: boolean;
  emptyRule: string | null;
  src: string | null;
}

/**
 * Cleans an article body: site rules (built-in and configured), allow-list sanitizing, absolute URLs
 * without tracking parameters, no trackers, no empty leftovers, no blank-line runs. One parse, plus a
 * cheerio pass only when a configured selector has combinators or pseudo-classes.
 */
export function cleanHtml(html: string, options: CleanOptions = {}): CleanResult {
  const rules = compileSiteRules(options.rules);
  const base = parseBase(options.baseUrl);
  const run = new CleanRun(rules, base, options.urls);
  const removedSrc: string[] = [];
  const input = rules.complexSelectors.length ? removeComplexSelectors(html, rules.complexSelectors, run.fired, removedSrc) : html;
  for (const src of removedSrc) run.noteRemoved(src);
  const out = sanitizeHtml(input, {
    ...sanitizeOptions,
    onOpenTag: run.onOpenTag.bind(run),
    onCloseTag: run.onCloseTag.bind(run),
    transformTags: { '*': run.transform.bind(run) },
    exclusiveFilter: run.exclusiveFilter.bind(run),
    textFilter: run.textFilter.bind(run),
  });
  return {
    html: collapseWhitespace(out),
    firedRules: [...run.fired],
    images: run.images,
    leadCandidates: run.leadCandidates,
    removedImages: [...new Set(run.removedImages)],
  };
}

/**
 * The state of one cleanHtml call, fed by sanitize-html's hooks. Prototype methods rather than
 * closures: the hooks run per element and must stay cheap.
 */
class CleanRun {
  readonly fired = new Set<string>();
  readonly images: string[] = [];
  readonly leadCandidates: string[] = [];
  readonly removedImages: string[] = [];
  private readonly stack: Rec[] = [];
  /** Loose text nodes removed by textFilter (unescaped), rare: promotions. */
  private readonly droppedText: string[] = [];
  /** The element whose closing tag sanitize-html is handling (onCloseTag runs just before exclusiveFilter). */
  private closed: Rec | undefined;

  constructor(
    private readonly rules: CompiledRules,
    private readonly base: URL | null,
    private readonly urls: UrlRules | undefined,
  ) {}

  onOpenTag(tag: string, attribs: Record<string, string>): void {
    const parent = this.stack[this.stack.length - 1];
    const skipped = parent !== undefined && (parent.skipped || (!ALLOWED.has(parent.outTag) && NON_TEXT.has(parent.outTag)));
    const doomed = parent !== undefined && (parent.doomed || parent.drop);
    const rec: Rec = {
      tag, outTag: RENAME[tag] ?? tag, drop: false, skipped, doomed, hasMedia: false, hasText: false,
      imageStart: this.images.length, leadStart: this.leadCandidates.length, small: false, emptyRule: null, src: null,
    };
    this.stack.push(rec);
    if (skipped) return;
    if (doomed) {
      if (tag === 'img' && attribs.src) this.noteRemoved(attribs.src);
      return;
    }
    for (const rule of this.rules.remove) {
      if (rule.match(tag, attribs)) {
        rec.drop = true;
        this.fired.add(rule.name);
        break;
      }
    }
    if (tag === 'img') {
      if (rec.drop) {
        if (attribs.src) this.noteRemoved(attribs.src);
      } else {
        rec.src = attribs.src ? resolveUrl(attribs.src, this.base, IMAGE_SCHEMES) : null;
        rec.small = declaredSmall(attribs);
        // A random stock photo is no picture of the article: removed like a tracker.
        const unwanted = rec.src !== null && (isTrackingImage(attribs) || isPlaceholderImage(rec.src, this.urls));
        if (rec.src && unwanted) this.removedImages.push(rec.src);
        if (!rec.src || unwanted) rec.drop = true;
      }
    }
    if (rec.drop) {
      // Renaming to a skipped tag would leave sanitize-html's tag map stale; an allowed name is cut cleanly.
      if (!ALLOWED.has(rec.outTag)) rec.outTag = 'div';
      return;
    }
    for (const rule of this.rules.removeEmpty) {
      if (rule.match(tag, attribs)) {
        rec.emptyRule = rule.name;
        break;
      }
    }
  }

  onCloseTag(): void {
    const closed = this.stack.pop();
    this.closed = closed;
    // exclusiveFilter only runs for allowed, unskipped tags; carry media up past unwrapped ones here.
    if (closed && !closed.skipped && !closed.drop && !closed.doomed && !ALLOWED.has(closed.outTag)) {
      const parent = this.stack[this.stack.length - 1];
      if (parent) {
        if (closed.hasMedia) parent.hasMedia = true;
        if (closed.hasText) parent.hasText = true;
      }
    }
  }

  transform(tag: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
    const rec = this.stack[this.stack.length - 1];
    if (!rec || rec.drop || rec.doomed) return { tagName: rec?.outTag ?? tag, attribs: {} };
    return { tagName: rec.outTag, attribs: keptAttributes(rec, attribs, this.base, this.rules, this.urls) };
  }

  exclusiveFilter(frame: sanitizeHtml.IFrame): boolean {
    const rec = this.closed;
    if (!rec) return false;
    if (rec.drop || rec.doomed) return this.drop(rec);
    const parent = this.stack[this.stack.length - 1];
    if (CONTENT_VOIDS.has(rec.outTag)) {
      if (rec.src) {
        this.images.push(rec.src);
        if (!rec.small) this.leadCandidates.push(rec.src);
      }
      if (parent) parent.hasMedia = true;
      return false;
    }
    if (!rec.hasText && !rec.hasMedia) {
      if (rec.emptyRule) this.fired.add(rec.emptyRule);
      if (rec.emptyRule || REMOVE_WHEN_EMPTY.has(rec.outTag)) return this.drop(rec);
    }
    if (rec.hasText && this.rules.dropText.length && BLOCKS.has(rec.outTag) && frame.text.length <= MAX_BOILERPLATE_TEXT) {
      let text = frame.text;
      // sanitize-html counts text our textFilter dropped; look at what is really left.
      for (const gone of this.droppedText) if (text.includes(gone)) text = text.split(gone).join('');
      const trimmed = text.trim();
      for (const rule of this.rules.dropText) {
        if (rule.test(trimmed)) {
          this.fired.add(rule.name);
          return this.drop(rec);
        }
      }
    }
    if (parent) {
      if (rec.hasMedia) parent.hasMedia = true;
      if (rec.hasText) parent.hasText = true;
    }
    return false;
  }

  /** Notes where visible text stands, and drops loose promotion text (built-in rules). */
  textFilter(text: string): string {
    const rec = this.stack[this.stack.length - 1];
    if ((rec && (rec.drop || rec.doomed)) || !NOT_BLANK.test(text)) return text;
    if (text.length <= 200 && this.rules.dropTextNode.length) {
      const trimmed = text.trim();
      for (const rule of this.rules.dropTextNode) {
        if (rule.test(trimmed)) {
          this.fired.add(rule.name);
          this.droppedText.push(trimmed.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
          return '';
        }
      }
    }
    if (rec) rec.hasText = true;
    return text;
  }

  /** An image that went with removed content, by its src as written. */
  noteRemoved(src: string): void {
    const abs = resolveUrl(src, this.base, IMAGE_SCHEMES);
    if (abs) this.removedImages.push(abs);
  }

  /** Cuts an element: its images leave the lead-image candidates and count as removed. */
  private drop(rec: Rec): true {
    this.removedImages.push(...this.images.slice(rec.imageStart));
    this.images.length = rec.imageStart;
    this.leadCandidates.length = rec.leadStart;
    return true;
  }
}

/** The attributes sanitize-html may keep, with URLs made absolute and links hardened. */
function keptAttributes(
  rec: Rec,
  attribs: sanitizeHtml.Attributes,
  base: URL | null,
  rules: CompiledRules,
  urls: UrlRules | undefined,
): sanitizeHtml.Attributes {
  const allowed = ALLOWED_ATTRIBUTES[rec.outTag];
  const out: sanitizeHtml.Attributes = {};
  if (allowed) {
    for (const name of allowed) {
      const value = attribs[name];
      if (value === undefined || rules.stripAttributes.has(name)) continue;
      if (name === 'href') {
        const abs = resolveUrl(value, base, LINK_SCHEMES);
        if (abs) out.href = abs.startsWith('mailto:') ? abs : stripTrackingParams(abs, urls);
      } else if (name === 'src') {
        if (rec.src) out.src = rec.src;
      } else if (name === 'srcset') {
        const set = resolveSrcset(value, base, urls);
        if (set) out.srcset = set;
      } else if (name !== 'rel') {
        out[name] = value;
      }
    }
  }
  if (rec.outTag === 'a') out.rel = 'noopener noreferrer';
  return out;
}
