// URL handling for cleaned HTML: absolute resolution with a scheme allow-list, tracking-parameter
// removal from links, and recognition of tracking pixels.

export const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);
export const IMAGE_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/** Parses a base URL; anything that is not absolute http(s) is no base at all. */
export function parseBase(baseUrl: string | null | undefined): URL | null {
  if (!baseUrl) return null;
  try {
    const url = new URL(baseUrl);
    return IMAGE_SCHEMES.has(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/**
 * Absolute form of an attribute URL, or null when it cannot be made absolute or its scheme is not
 * allowed. The WHATWG parser strips the tab/newline/control tricks (`java&#x09;script:`) before the
 * scheme is read, so the check sees the scheme a browser would.
 */
export function resolveUrl(value: string, base: URL | null, schemes: ReadonlySet<string>): string | null {
  const raw = value.trim();
  if (!raw) return null;
  let url: URL;
  try {
    // Protocol-relative without a base: https is what any reader would pick today.
    url = base ? new URL(raw, base) : new URL(raw.startsWith('//') ? `https:${raw}` : raw);
  } catch {
    return null;
  }
  return schemes.has(url.protocol) ? url.href : null;
}

/**
 * Query parameters that only identify a click, a campaign or a mail (the list readers such as Miniflux
 * strip); names are compared in lower case. `utm_*` and `mtm_*` are matched as prefixes.
 */
const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid', '_openstat', 'fb_action_ids', 'fb_action_types', 'fb_ref', 'fb_source', 'fb_comment_id',
  'gclid', 'dclid', 'gbraid', 'wbraid', 'gclsrc', 'srsltid', 'yclid', 'ysclid', 'twclid', 'msclkid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', 'mc_tc', '_hsenc', '_hsmi', '__hssc', '__hstc', '__hsfp', 'hsctatracking', 'hsa_cam',
  'mkt_tok', 'sc_cid', 'igshid', 'wickedid', 'rb_clickid', 'oly_anon_id', 'oly_enc_id', 'vero_id', 'vero_conv',
  'hmb_campaign', 'hmb_medium', 'hmb_source', 'itm_campaign', 'itm_medium', 'itm_source',
  'campaign_id', 'campaign_medium', 'campaign_name', 'campaign_source', 'campaign_term', 'campaign_content',
  '_bhlid', '_branch_match_id', '_branch_referrer', '__readwiselocation',
]);
const TRACKING_PREFIXES: readonly string[] = ['utm_', 'mtm_'];
/** Parameters that track only on some sites: `si` on YouTube share links, `spm` on Alibaba's shops. */
const SITE_TRACKING_PARAMS: ReadonlyArray<{ param: string; hosts: readonly string[] }> = [
  { param: 'si', hosts: ['youtube.com', 'youtu.be', 'youtube-nocookie.com'] },
  { param: 'spm', hosts: ['taobao.com', 'tmall.com', 'alibaba.com', 'aliexpress.com', '1688.com', 'alipay.com', 'fliggy.com', 'aliyun.com', 'alibabacloud.com', 'tmall.hk', 'taobao.hk'] },
];

/** Configured additions: `links.trackingParameters` (names; `name*` is a prefix) and `images.placeholders`. */
export interface UrlRules {
  trackingParameters?: readonly string[] | undefined;
  placeholderImages?: readonly string[] | undefined;
}

interface CompiledUrlRules {
  params: ReadonlySet<string>;
  prefixes: readonly string[];
  placeholders: ReadonlyArray<{ host: string; path: string }>;
}

/** Hosts (a subdomain matches too) and host/path prefixes of random-photo and placeholder-image services. */
export const BUILTIN_PLACEHOLDER_IMAGES: readonly string[] = [
  'picsum.photos', 'source.unsplash.com', 'unsplash.it', 'placehold.co', 'placehold.it', 'via.placeholder.com',
  'placeholder.com', 'dummyimage.com', 'loremflickr.com', 'fakeimg.pl', 'placekitten.com', 'placeimg.com',
  'lorempixel.com', 'placebear.com', 'baconmockup.com', 'fillmurray.com', 'placecage.com', 'stevensegallery.com',
  'placedog.net', 'placeholder.pics', 'dummyimage.io', 'lorem.space', 'picsum.dev',
];

function placeholderPattern(entry: string): { host: string; path: string } {
  const text = entry.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\*\./, '');
  const slash = text.indexOf('/');
  return slash < 0 ? { host: text, path: '' } : { host: text.slice(0, slash), path: text.slice(slash) };
}

const compiled = new Map<string, CompiledUrlRules>();

function compileUrlRules(rules: UrlRules | undefined): CompiledUrlRules {
  const key = rules ? JSON.stringify([rules.trackingParameters ?? [], rules.placeholderImages ?? []]) : '';
  let out = compiled.get(key);
  if (out) return out;
  const params = new Set(TRACKING_PARAMS);
  const prefixes = [...TRACKING_PREFIXES];
  for (const name of rules?.trackingParameters ?? []) {
    const lower = name.trim().toLowerCase();
    if (lower.endsWith('*')) prefixes.push(lower.slice(0, -1));
    else if (lower) params.add(lower);
  }
  const placeholders = [...BUILTIN_PLACEHOLDER_IMAGES, ...(rules?.placeholderImages ?? [])].map(placeholderPattern).filter((p) => p.host);
  out = { params, prefixes, placeholders };
  // Configs are few; the bound only guards against a caller compiling per item.
  if (compiled.size > 64) compiled.clear();
  compiled.set(key, out);
  return out;
}

const hostMatches = (host: string, pattern: string): boolean => host === pattern || host.endsWith(`.${pattern}`);

/** Host of an absolute URL as written, lower case, without user info and port. */
function hostOf(href: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(href)?.[1] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '').replace(/^\[|\]$/g, '').toLowerCase();
}

/** True for an image served by a random-photo or placeholder service (built in, or `images.placeholders`). */
export function isPlaceholderImage(href: string, rules?: UrlRules): boolean {
  const { placeholders } = compileUrlRules(rules);
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  const path = url.pathname.toLowerCase();
  return placeholders.some((p) => hostMatches(host, p.host) && (p.path === '' || path.startsWith(p.path)));
}

/**
 * Removes tracking parameters (utm_*, fbclid, gclid, msclkid, … and the configured ones; `si` on
 * YouTube, `spm` on Alibaba hosts) from an absolute URL's query; every other byte stays as written.
 */
export function stripTrackingParams(href: string, rules?: UrlRules): string {
  const q = href.indexOf('?');
  if (q < 0) return href;
  const { params, prefixes } = compileUrlRules(rules);
  let host: string | null = null;
  const hash = href.indexOf('#', q);
  const query = href.slice(q + 1, hash < 0 ? undefined : hash);
  const kept = query.split('&').filter((part) => {
    if (!part) return false;
    const eq = part.indexOf('=');
    let key = eq < 0 ? part : part.slice(0, eq);
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      /* keep the raw key */
    }
    key = key.toLowerCase();
    if (params.has(key) || prefixes.some((prefix) => key.startsWith(prefix))) return false;
    const site = SITE_TRACKING_PARAMS.find((entry) => entry.param === key);
    if (!site) return true;
    host ??= hostOf(href);
    return !site.hosts.some((h) => hostMatches(host!, h));
  });
  const rest = hash < 0 ? '' : href.slice(hash);
  return href.slice(0, q) + (kept.length ? `?${kept.join('&')}` : '') + rest;
}

/** Hosts that only serve counters and beacons (a subdomain matches too). */
const PIXEL_HOSTS = [
  'feeds.feedburner.com',
  'feedsportal.com',
  'pixel.wp.com',
  'stats.wordpress.com',
  'google-analytics.com',
  'stats.g.doubleclick.net',
  'ad.doubleclick.net',
  'scorecardresearch.com',
  'pixel.quantserve.com',
  'pixel.mathtag.com',
  'bat.bing.com',
  'analytics.twitter.com',
  'beacon.krxd.net',
  'counter.yadro.ru',
  'mf.feeds.reuters.com',
  'feeds.feedblitz.com',
];
/** A last path segment that is a counter by name: /pixel.gif, /track, /beacon.php, /__utm.gif, /1x1.png. */
const PIXEL_FILE = /^(?:pixel|track|tracking|tracker|beacon|spacer|blank|1x1|__utm|count|counter|open|imp|impression)(?:\.(?:gif|png|jpe?g|php|aspx?|cgi))?$/i;
/** A directory that only holds counters: /pixel/…, /track/…, /beacon/…. */
const PIXEL_DIR = /\/(?:pixel|track|tracking|beacon)\//i;
/** Old Google Analytics counters carry utmwv/utmac/utmn query parameters. */
const UTM_COUNTER = /[?&]utm(?:wv|ac|n|cc|hn)=/i;
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden|(?:^|[;\s])(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)/i;

function tinyDimension(value: string | undefined): boolean {
  if (value === undefined) return false;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) && n <= 1;
}

/** True for 1×1/0×0 images, hidden images and images served by known counters and beacons. */
export function isTrackingImage(attribs: Record<string, string>): boolean {
  if (tinyDimension(attribs.width) || tinyDimension(attribs.height)) return true;
  if (attribs.style && HIDDEN_STYLE.test(attribs.style)) return true;
  const src = attribs.src?.trim();
  if (!src) return false;
  let url: URL;
  try {
    url = new URL(src, 'https://relative.invalid/');
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  if (PIXEL_HOSTS.some((h) => host === h || host.endsWith(`.${h}`))) return true;
  if (host.endsWith('facebook.com') && url.pathname === '/tr') return true;
  const path = url.pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return PIXEL_FILE.test(last) || PIXEL_DIR.test(path) || UTM_COUNTER.test(url.search);
}

/** Images declared smaller than this (width or height, px) are icons and badges, never the lead image. */
export const MIN_LEAD_IMAGE_PX = 100;

const STYLE_SIZE = /(?:^|[;\s])(?:width|height)\s*:\s*(\d+(?:\.\d+)?)px/gi;

/** Width or height declared (attribute or inline style, in px) below MIN_LEAD_IMAGE_PX. */
export function declaredSmall(attribs: Record<string, string>): boolean {
  for (const value of [attribs.width, attribs.height]) {
    // `50%` or `auto` says nothing about the picture itself.
    if (value !== undefined && /^\s*\d+(?:\.\d+)?\s*(?:px)?\s*$/i.test(value) && Number.parseFloat(value) < MIN_LEAD_IMAGE_PX) return true;
  }
  for (const match of (attribs.style ?? '').matchAll(STYLE_SIZE)) {
    if (Number.parseFloat(match[1]!) < MIN_LEAD_IMAGE_PX) return true;
  }
  return false;
}

/** Resolves every candidate of a srcset, placeholders left out; null when none survives. */
export function resolveSrcset(value: string, base: URL | null, rules?: UrlRules): string | null {
  const out: string[] = [];
  for (const candidate of value.split(/,\s+|(?<=\s[\d.]+[wx])\s*,/)) {
    const [url, ...descriptor] = candidate.trim().split(/\s+/);
    if (!url) continue;
    const abs = resolveUrl(url, base, IMAGE_SCHEMES);
    if (abs && !isPlaceholderImage(abs, rules)) out.push([abs, ...descriptor].join(' '));
  }
  return out.length ? out.join(', ') : null;
}
