// Dates as found in feeds and seed front matter: RFC 822/1123, ISO 8601, zone-less local times.
// Pure: zone-less values are read in the given IANA time zone, using Intl for its offset.

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, sept: 8, oct: 9, nov: 10, dec: 11,
};

/** RFC 822 zone names (and a few common extras), as minutes east of UTC. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, BST: 60, JST: 540, KST: 540, HKT: 480,
};

const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

/**
 * Parses a date; returns null for blank, `Invalid Date`, unparseable or absurd values (year outside
 * 1900–2200). Values without a zone are read as wall-clock time in `timezone` (IANA name, default UTC;
 * an unknown zone name falls back to UTC).
 */
export function parseDate(value: string | Date | null | undefined, timezone = 'UTC'): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return sane(value.getTime());
  const text = value.trim().replace(/\s+/g, ' ');
  if (text === '' || /^invalid date$/i.test(text)) return null;
  return sane(parseIso(text, timezone) ?? parseRfc822(text, timezone) ?? parseFallback(text));
}

function sane(ms: number | null): Date | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  return year < MIN_YEAR || year > MAX_YEAR ? null : date;
}

// 2022-04-27, 2022-04-27 08:43, 2022-04-27T08:43:25.123+08:00, 2022/4/27 8:43:25 Z, 2022-04-27 08:43:25 +0800
const ISO =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)? ?(Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{1,5})?$/i;

function parseIso(text: string, timezone: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const fields: WallTime = {
    year: Number(y), month: Number(mo) - 1, day: Number(d),
    hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0),
    ms: frac ? Math.round(Number(`0.${frac}`) * 1000) : 0,
  };
  if (!validWallTime(fields)) return null;
  if (zone === undefined) return zonedToUtc(fields, timezone);
  const offset = zoneOffset(zone);
  return offset === null ? null : wallToUtcMs(fields) - offset * 60_000;
}

// [Wed,] 27 Apr 2022 00:43:25 GMT — also full month names, 2-digit years, missing seconds or zone.
const RFC822 =
  /^(?:[a-z]{2,9}\.?,? )?(\d{1,2})[ -]([a-z]{3,9})\.?[ -](\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?(Z|[+-]\d{2}:?\d{2}|[a-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?))?)?(?: \([^)]*\))?$/i;

function parseRfc822(text: string, timezone: string): number | null {
  const m = RFC822.exec(text);
  if (!m) return null;
  const [, d, monthName, y, h, mi, s, zone] = m;
  const month = MONTHS[(monthName ?? '').slice(0, 4).toLowerCase()] ?? MONTHS[(monthName ?? '').slice(0, 3).toLowerCase()];
  if (month === undefined) return null;
  let year = Number(y);
  if (y?.length === 2) year += year < 50 ? 2000 : 1900;
  const fields: WallTime = {
    year, month, day: Number(d), hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0), ms: 0,
  };
  if (!validWallTime(fields)) return null;
  if (zone === undefined) return zonedToUtc(fields, timezone);
  const offset = zoneOffset(zone);
  return offset === null ? null : wallToUtcMs(fields) - offset * 60_000;
}

/** Last resort for shapes the engine knows (e.g. `Wed Apr 27 2022 08:43:25 GMT+0800 (…)`); zone required. */
function parseFallback(text: string): number | null {
  if (!/(?:GMT|UTC|Z)?[+-]\d{2}:?\d{2}\b|\b(?:GMT|UTC)\b|Z$/i.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** Minutes east of UTC for `Z`, `+0800`, `+08:00`, `+08`, `GMT`, `EST`, `GMT+8`; null when unknown. */
function zoneOffset(zone: string): number | null {
  const upper = zone.toUpperCase();
  const named = /^([A-Z]{1,5})(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(upper);
  if (named) {
    const base = ZONES[named[1] ?? ''];
    if (base === undefined) return null;
    if (!named[2]) return base;
    const sign = named[2] === '-' ? -1 : 1;
    return base + sign * (Number(named[3]) * 60 + Number(named[4] ?? 0));
  }
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(upper);
  if (!numeric) return null;
  const sign = numeric[1] === '-' ? -1 : 1;
  const hours = Number(numeric[2]);
  const minutes = Number(numeric[3] ?? 0);
  if (hours > 14 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

interface WallTime {
  year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number;
}

function validWallTime(t: WallTime): boolean {
  if (t.month < 0 || t.month > 11 || t.day < 1 || t.hour > 24 || t.minute > 59 || t.second > 60) return false;
  const daysInMonth = new Date(Date.UTC(t.year, t.month + 1, 0)).getUTCDate();
  return t.day <= daysInMonth;
}

function wallToUtcMs(t: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(t.year, t.month, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, t.ms);
  return date.getTime();
}

/** UTC instant of a wall-clock time in an IANA zone: guess with the offset there, then correct once. */
function zonedToUtc(t: WallTime, timezone: string): number {
  const wall = wallToUtcMs(t);
  const first = wall - offsetMinutes(wall, timezone) * 60_000;
  const second = wall - offsetMinutes(first, timezone) * 60_000;
  return second;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timezone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(timezone)) {
    let formatter: Intl.DateTimeFormat | null = null;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
      });
    } catch {
      formatter = null; // unknown zone name: read as UTC
    }
    formatters.set(timezone, formatter);
  }
  return formatters.get(timezone) ?? null;
}

/** Offset of `timezone` from UTC at the instant `utcMs`, in minutes east. */
function offsetMinutes(utcMs: number, timezone: string): number {
  const formatter = formatterFor(timezone);
  if (!formatter) return 0;
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(utcMs))) parts[part.type] = part.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const asUtc = wallToUtcMs({
    year, month: Number(parts.month) - 1, day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second), ms: 0,
  });
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}
