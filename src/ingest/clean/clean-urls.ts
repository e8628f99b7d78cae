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

const TRACKING_PARAM = /^(?:utm_[a-z0-9_]*|fbclid|gclid|dclid|mc_cid|mc_eid|igshid)$/i;

/** Removes utm_*, fbclid, gclid, mc_cid, mc_eid, igshid from an absolute URL's query; other bytes untouched. */
export function stripTrackingParams(href: string): string {
  const q = href.indexOf('?');
  if (q < 0) return href;
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
    return !TRACKING_PARAM.test(key);
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

/** Resolves every candidate of a srcset; null when none survives. */
export function resolveSrcset(value: string, base: URL | null): string | null {
  const out: string[] = [];
  for (const candidate of value.split(/,\s+|(?<=\s[\d.]+[wx])\s*,/)) {
    const [url, ...descriptor] = candidate.trim().split(/\s+/);
    if (!url) continue;
    const abs = resolveUrl(url, base, IMAGE_SCHEMES);
    if (abs) out.push([abs, ...descriptor].join(' '));
  }
  return out.length ? out.join(', ') : null;
}
