// Reads an OPML subscription list (as Miniflux, FreshRSS, Feedly, Inoreader and most readers export it):
// every outline with an `xmlUrl` is a feed; the outlines around it are its folders. Parsed by xml2js
// (strict, over sax), so a broken file is an error naming the file, line and column.
import { parseStringPromise } from 'xml2js';

export interface OpmlFeed {
  /** The outline's `title`, else its `text`; may be empty. */
  title: string;
  xmlUrl: string;
  /** Folder titles from the outermost in. */
  folders: string[];
}

export class OpmlError extends Error {}

interface Outline {
  $?: Record<string, string>;
  outline?: Outline[];
}

const attribute = (outline: Outline, name: string): string => {
  const attributes = outline.$ ?? {};
  // Attribute names are case-sensitive in XML, but some exporters write `xmlurl` or `XMLURL`.
  const key = Object.keys(attributes).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? '' : attributes[key]!.trim();
};

/** The feeds of an OPML document, in document order; `file` names it in errors. */
export async function readOpml(text: string, file: string): Promise<OpmlFeed[]> {
  let document: { opml?: { body?: { outline?: Outline[] }[] } } | null;
  try {
    document = await parseStringPromise(text, { explicitArray: true, explicitCharkey: false, trim: true });
  } catch (error) {
    throw new OpmlError(`${file}: not well-formed XML: ${positioned((error as Error).message)}`);
  }
  if (!document) throw new OpmlError(`${file}: empty file, not OPML`);
  if (!document.opml) throw new OpmlError(`${file}: not OPML (the root element is <${Object.keys(document)[0]}>, not <opml>)`);
  const body = document.opml.body?.[0];
  if (!body) throw new OpmlError(`${file}: OPML without a <body>`);
  const feeds: OpmlFeed[] = [];
  const walk = (outlines: Outline[], folders: string[]): void => {
    for (const outline of outlines) {
      const title = attribute(outline, 'title') || attribute(outline, 'text');
      const xmlUrl = attribute(outline, 'xmlUrl');
      if (xmlUrl) feeds.push({ title, xmlUrl, folders });
      // A folder is an outline without a feed URL; its title names the category of what it holds.
      else if (outline.outline) walk(outline.outline, title ? [...folders, title] : folders);
    }
  };
  walk(body.outline ?? [], []);
  return feeds;
}

/** sax says `Unexpected close tag\nLine: 3\nColumn: 7\nChar: >` with a 0-based line: `line 4, column 7: Unexpected close tag`. */
function positioned(message: string): string {
  const match = /^([^\n]*)\nLine: (\d+)\nColumn: (\d+)/.exec(message);
  if (!match) return message.split('\n')[0]!;
  return `line ${Number(match[2]) + 1}, column ${match[3]}: ${match[1]}`;
}
