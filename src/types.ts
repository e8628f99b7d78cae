// Domain types shared by the stages. Stages exchange plain data; only the store knows how it is kept.

/** One item as a parser read it: strings straight from the document, nothing resolved or cleaned yet. */
export interface RawItem {
  title?: string | undefined;
  /** True when `title` is plain text already (Atom type="text", xhtml text): markup in it is literal. */
  titleIsText?: boolean | undefined;
  link?: string | undefined;
  guid?: string | undefined;
  /** Date text as found (RFC 822, ISO 8601, zone-less local time) or a Date already parsed. */
  published?: string | Date | undefined;
  updated?: string | Date | undefined;
  author?: string | undefined;
  categories?: string[] | undefined;
  /** Lead image candidates in order of preference (front matter, media:*, enclosure). */
  images?: string[] | undefined;
  /** Body as HTML (Markdown is rendered to HTML by the reader that found it). */
  html?: string | undefined;
  /** Base URL for relative links in this item (xml:base), when the document declares one. */
  baseUrl?: string | undefined;
  /** Media files attached to the item (RSS enclosure, Atom rel="enclosure", JSON Feed attachments), URLs resolved. */
  enclosures?: RawEnclosure[] | undefined;
}

/** An enclosure as found: attribute text, not yet checked. */
export interface RawEnclosure {
  url: string;
  type?: string | undefined;
  length?: string | number | undefined;
}

/** A media file of a story (podcast audio, video): an absolute http(s) URL, its media type and size when known. */
export interface Enclosure {
  url: string;
  /** Media type as declared, lower-cased (`audio/mpeg`); null when the feed gave none. */
  type: string | null;
  /** Size in bytes as declared; null when missing, not a number, or 0 (what feeds write when they do not know). */
  length: number | null;
}

/** What a parser made of one document. */
export interface ParsedDocument {
  title?: string | undefined;
  /** Site link of the feed, if any. */
  link?: string | undefined;
  items: RawItem[];
  /** Items or fields dropped, each a message naming what and why. */
  warnings: string[];
  /** RSS <ttl> in minutes, when given. */
  ttlMinutes?: number | undefined;
}

/** A category after folding and alias resolution. The slug is its identity. */
export interface CategoryRef {
  slug: string;
  name: string;
}

/** One origin's version of a story: normalized and cleaned, ready to store. */
export interface Article {
  /** Who delivered it: `source:<name>` or `seed`. */
  sourceKey: string;
  /** Identity within the source: guid, else link, else the seed file's relative path. */
  originId: string;
  title: string;
  /** Dedup key of the title (ingest/dedup.ts `titleKey`). */
  titleKey: string;
  link: string | null;
  guid: string | null;
  published: Date;
  updated: Date | null;
  author: string | null;
  categories: CategoryRef[];
  image: string | null;
  /** Cleaned HTML. */
  contentHtml: string;
  /** Plain-text summary of the cleaned body. */
  summary: string;
  /** True when the publication date was missing and a fallback (file mtime, fetch time) was used. */
  dateIsFallback?: boolean;
  /** Length of the body's visible text in code points (measured where it was parsed; what "fullest" compares). */
  textLength?: number;
  /** The words the search index keeps of it (text/search-words.ts), made where it was parsed. */
  words?: SearchWords;
  /** Its media files (not images: those are lead image candidates), in document order; absent or empty: none. */
  enclosures?: Enclosure[];
}

/** Title and body text as indexed for search: folded words separated by spaces. */
export interface SearchWords {
  title: string;
  body: string;
}

/** A merged story as published: the union of its origins. */
export interface Story {
  /** The story's id, named after its earliest copy: its page is /stories/{id}. Changes when an earlier copy arrives. */
  id: string;
  /** The id its feed items carry (RSS guid, Atom id, JSON Feed id): the oldest id it was published under; absent: `id`. */
  feedId?: string;
  title: string;
  link: string | null;
  /** Every origin link, first the one used as `link`. */
  links: string[];
  published: Date;
  /** Last time the story's published content changed. */
  updated: Date;
  author: string | null;
  categories: CategoryRef[];
  image: string | null;
  contentHtml: string;
  summary: string;
  /** Media files of all its copies (dedup.ts `mergeEnclosures`); absent or empty: none. */
  enclosures?: Enclosure[];
}

/** A category with what the index page and feeds need. */
export interface CategorySummary extends CategoryRef {
  count: number;
  /** Newest change of any story in it, null when empty. */
  lastChanged: Date | null;
}

/** Stored state of one source (a configured feed, or the seed folder). */
export interface SourceState {
  name: string;
  url: string;
  lastAttempt: Date | null;
  lastSuccess: Date | null;
  httpStatus: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextRun: Date | null;
  etag: string | null;
  lastModified: string | null;
  addedLastRun: number;
  addedTotal: number;
  /** The feed an HTML page at `url` advertised, polled instead of it until the config names it (discovery). */
  discoveredUrl: string | null;
  /** The seed folder only: its files recovered from broken front matter and rejected. */
  seedFiles?: SeedFileProblems | undefined;
  /** Articles the source's filter dropped: in all, and per rule (most first). */
  filtered?: { total: number; byRule: { rule: string; count: number }[] } | undefined;
}

/** The seed files the scans could not read as written: counts and the first few by path. */
export interface SeedFileProblems {
  recovered: number;
  rejected: number;
  /** Up to the sample asked for, each ordered by path. */
  recoveredFiles: { relPath: string; warning: string }[];
  rejectedFiles: { relPath: string; error: string }[];
}

/** Counts of what one store run did. */
export interface StoreRunResult {
  added: number;
  updated: number;
  merged: number;
  unchanged: number;
  /** Category slugs whose published content changed. */
  changedCategories: string[];
}
