// RFC 5005 history links written into rendered Atom and RSS documents (`feed` has no hook for
// arbitrary links): rel="current" / "prev-archive" / "next-archive" next to the self link, and the
// fh:archive marker that tells readers an archive document will not change.
import type { HistoryLinks } from './build-feed.js';
import { escapeXml } from './xml-safe.js';

export const FH_NAMESPACE = 'http://purl.org/syndication/history/1.0';

const RELS: Array<[keyof HistoryLinks, string]> = [
  ['current', 'current'],
  ['prevArchive', 'prev-archive'],
  ['nextArchive', 'next-archive'],
];

function linksOf(history: HistoryLinks): Array<[string, string]> {
  return RELS.flatMap(([key, rel]) => {
    const href = history[key];
    return typeof href === 'string' && href ? [[rel, href] as [string, string]] : [];
  });
}

/** Adds the history links after the self link of an Atom feed, and fh:archive to an archive. */
export function withAtomHistory(xml: string, history: HistoryLinks | undefined): string {
  if (!history) return xml;
  const links = linksOf(history).map(([rel, href]) => `\n    <link rel="${rel}" href="${escapeXml(href)}"/>`);
  const marker = history.archive ? '\n    <fh:archive/>' : '';
  let out = xml.replace(/(\n[ \t]*<link rel="self" [^>]*\/>)/, (self) => `${self}${links.join('')}${marker}`);
  if (history.archive) out = out.replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="${FH_NAMESPACE}">`);
  return out;
}

/** The same for RSS 2.0, as atom:link elements (the atom namespace is declared for the self link). */
export function withRssHistory(xml: string, history: HistoryLinks | undefined): string {
  if (!history) return xml;
  const links = linksOf(history).map(([rel, href]) => `\n        <atom:link href="${escapeXml(href)}" rel="${rel}" type="application/rss+xml"/>`);
  const marker = history.archive ? '\n        <fh:archive/>' : '';
  let out = xml.replace(/(\n[ \t]*<atom:link [^>]*rel="self"[^>]*\/>)/, (self) => `${self}${links.join('')}${marker}`);
  if (history.archive) out = out.replace(/<rss version="2.0"/, `<rss version="2.0" xmlns:fh="${FH_NAMESPACE}"`);
  return out;
}
