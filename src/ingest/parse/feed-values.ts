// Small value helpers shared by the feed parsers.

/** Resolves `value` against `base`; an unresolvable value is kept as written, blanks become undefined. */
export function absoluteUrl(value: string | undefined, base: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  try {
    return base ? new URL(v, base).href : new URL(v).href;
  } catch {
    return v;
  }
}

/** Resolves a base URL chain (xml:base) leniently: a bad value leaves the parent base in force. */
export function resolveBase(value: string | undefined, parent: string): string {
  const v = value?.trim();
  if (!v) return parent;
  try {
    return new URL(v, parent).href;
  } catch {
    return parent;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Date text kept raw for normalize (it knows zone-less and local formats); only text that cannot be a
 * date at all (no digit) is dropped, with a warning.
 */
export function rawDate(value: string | undefined, what: string, warnings: string[]): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (!/\d/.test(v)) {
    warnings.push(`${what}: unusable date "${v.slice(0, 60)}" dropped`);
    return undefined;
  }
  return v;
}
