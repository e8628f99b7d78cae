// Access to xml2js nodes as rss-parser builds them (default options): attributes, simple text, element
// children, and the text or HTML an element holds. Shared by the RSS and Atom readers in parse-xml-feed.ts.

/** An xml2js node with the default options: text, or an object with `$` attributes, `_` text, child arrays. */
export type XNode = string | { $?: Record<string, string>; _?: string; [child: string]: unknown };

export function children(node: XNode | undefined, name: string): XNode[] {
  if (!node || typeof node === 'string') return [];
  const v = node[name];
  return Array.isArray(v) ? (v as XNode[]) : [];
}

export function first(node: XNode | undefined, name: string): XNode | undefined {
  return children(node, name)[0];
}

export function attr(node: XNode | undefined, name: string): string | undefined {
  if (!node || typeof node === 'string') return undefined;
  const v = node.$?.[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Trimmed text of a simple element, or undefined when blank or when it holds elements only. */
export function text1(node: XNode | undefined): string | undefined {
  const t = typeof node === 'string' ? node : node?._;
  return typeof t === 'string' && t.trim() ? t.trim() : undefined;
}

/** Body markup of an element whose text is HTML (escaped or CDATA); undefined for xhtml children. */
export function htmlOf(node: XNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node.trim() ? node : undefined;
  const keys = Object.keys(node).filter((k) => k !== '$' && k !== '_');
  if (keys.length) return undefined;
  return typeof node._ === 'string' && node._.trim() ? node._ : undefined;
}

/** All text inside an element (xhtml titles); xml2js loses mixed-content order, so this is approximate. */
export function deepText(node: XNode | undefined): string | undefined {
  const parts: string[] = [];
  const walk = (n: unknown): void => {
    if (typeof n === 'string') parts.push(n);
    else if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) if (k !== '$') walk(v);
  };
  walk(node);
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  return text || undefined;
}

export function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}
