// Adds an OPML's feeds to the YAML config as sources. The `yaml` package's Document API reads the file
// (where `sources` is, what is configured) and writes the new entries; they are spliced into the text so
// the file keeps its comments, order and formatting byte for byte.
import { Document, isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import type { OpmlFeed } from './read-opml.js';

export interface AddedSource {
  name: string;
  url: string;
  categories: string[];
}

export interface SkippedFeed {
  title: string;
  url: string;
  reason: string;
}

export interface OpmlImport {
  added: AddedSource[];
  skipped: SkippedFeed[];
  /** The config text with the new sources (unchanged when none were added). */
  text: string;
}

/**
 * The URL as compared for "already configured": scheme, `www.`, default port, fragment and a trailing
 * slash do not matter; host case neither. Null for anything but an http(s) URL.
 */
export function comparableFeedUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname.replace(/^www\./, '');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '';
  return `${host}${url.port ? `:${url.port}` : ''}${path}${url.search}`;
}

/** A name for a feed without a title: its host and path. */
function fallbackName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** The new entries as YAML lines (a block list, categories as a flow list), headed by a comment. */
function entryLines(sources: readonly AddedSource[], origin: string): string[] {
  const list = new Document(sources.map((s) => (s.categories.length > 0 ? s : { name: s.name, url: s.url })));
  if (isSeq(list.contents)) {
    for (const item of list.contents.items) {
      const categories = isMap(item) ? item.get('categories', true) : undefined;
      if (isSeq(categories)) categories.flow = true;
    }
  }
  const yaml = list.toString({ flowCollectionPadding: false, lineWidth: 0 });
  return [`# imported from ${origin}`, ...yaml.replace(/\n$/, '').split('\n')];
}

/**
 * The config text with the entries added to `sources`, spliced into the original text so every other
 * byte stays as written (re-stringifying the document would re-space comments and flow lists): after the
 * last item of a block list, in place of an empty `sources: []`, or as a new `sources:` key at the end.
 * Any other shape (`sources:` with no value, a non-empty flow list) goes through the Document API.
 */
function spliceSources(text: string, doc: Document, sources: readonly AddedSource[], origin: string): string {
  const lines = entryLines(sources, origin);
  const indent = (width: number) => lines.map((line) => `${' '.repeat(width)}${line}`);
  const node = doc.get('sources', true);
  if (isSeq(node) && node.range && !node.flow && node.items.length > 0) {
    const lineStart = text.lastIndexOf('\n', node.range[0] - 1) + 1;
    const at = node.range[1];
    const before = text[at - 1] === '\n' ? '' : '\n';
    return `${text.slice(0, at)}${before}${indent(node.range[0] - lineStart).join('\n')}\n${text.slice(at)}`;
  }
  if (isSeq(node) && node.range && node.flow && node.items.length === 0) {
    return `${text.slice(0, node.range[0]).replace(/[ \t]+$/, '')}\n${indent(2).join('\n')}${text.slice(node.range[1])}`;
  }
  if (!doc.has('sources')) return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}sources:\n${indent(2).join('\n')}\n`;
  const seq = isSeq(node) ? node : new YAMLSeq();
  seq.flow = false;
  for (const source of sources) seq.items.push(doc.createNode(source));
  doc.set('sources', seq);
  return doc.toString({ lineWidth: 0 });
}

/**
 * `configText` with the feeds added as sources: folder titles become categories (every folder on the
 * path of a nested one), URLs already configured are skipped, a feed listed twice is added once with
 * the folders of both. `origin` (the OPML's file name) goes into a comment above the new entries.
 */
export function addOpmlSources(configText: string, feeds: readonly OpmlFeed[], origin: string): OpmlImport {
  const doc = parseDocument(configText);
  if (doc.errors.length > 0) throw new Error(`the config is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const existing = (doc.toJS() as { sources?: { name?: unknown; url?: unknown }[] } | null)?.sources;
  const configured = new Map<string, string>();
  const names = new Set<string>();
  for (const source of Array.isArray(existing) ? existing : []) {
    if (typeof source?.name === 'string') names.add(source.name.trim());
    const key = typeof source?.url === 'string' ? comparableFeedUrl(source.url) : null;
    if (key) configured.set(key, String(source.name));
  }
  const added: AddedSource[] = [];
  const addedByUrl = new Map<string, AddedSource>();
  const skipped: SkippedFeed[] = [];
  for (const feed of feeds) {
    const key = comparableFeedUrl(feed.xmlUrl);
    const skip = (reason: string) => skipped.push({ title: feed.title, url: feed.xmlUrl, reason });
    if (!key) {
      skip('not an http(s) URL');
      continue;
    }
    if (configured.has(key)) {
      skip(`already configured as "${configured.get(key)}"`);
      continue;
    }
    // Miniflux files its uncategorized feeds under "All", which is our every-article feed already.
    const categories = [...new Set(feed.folders.map((folder) => folder.trim()).filter((f) => f && f.toLowerCase() !== 'all'))];
    const earlier = addedByUrl.get(key);
    if (earlier) {
      for (const category of categories) if (!earlier.categories.includes(category)) earlier.categories.push(category);
      skip(`listed again in the OPML: added once as "${earlier.name}", with both folders as categories`);
      continue;
    }
    const base = feed.title.replace(/\s+/g, ' ').trim() || fallbackName(feed.xmlUrl);
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base} (${n})`;
    names.add(name);
    const source: AddedSource = { name, url: feed.xmlUrl.trim(), categories };
    added.push(source);
    addedByUrl.set(key, source);
  }
  if (added.length === 0) return { added, skipped, text: configText };
  return { added, skipped, text: spliceSources(configText, doc, added, origin) };
}

