// Text of titles written with child elements (Atom xhtml, or markup left unescaped in RSS), in document
// order: xml2js, under rss-parser, keeps an element's own text apart from its children's, so their order
// is lost. Only read when an item's title has child elements (rare), with htmlparser2 in XML mode.
import { DomUtils, parseDocument } from 'htmlparser2';

type Element = ReturnType<typeof DomUtils.getChildren>[number];

const isTag = (node: Element, name: string): boolean => DomUtils.isTag(node) && node.name === name;

/** True when an xml2js node holds child elements (any key besides attributes `$` and text `_`). */
export function hasChildElements(node: unknown): boolean {
  return typeof node === 'object' && node !== null && Object.keys(node).some((key) => key !== '$' && key !== '_');
}

/**
 * The text of each item's `<title>` (Atom `entry`, RSS and RDF `item`), in the order the items appear
 * under their feed or channel, as xml2js lists them; undefined for an item without a title.
 */
export function itemTitlesInOrder(xml: string): (string | undefined)[] {
  const doc = parseDocument(xml, { xmlMode: true, decodeEntities: true });
  const root = DomUtils.getChildren(doc).find((node) => DomUtils.isTag(node));
  if (!root || !DomUtils.isTag(root)) return [];
  const containers = root.name === 'rss' ? DomUtils.getChildren(root).filter((n) => isTag(n, 'channel')).slice(0, 1) : [root];
  const itemName = root.name === 'feed' ? 'entry' : 'item';
  const titles: (string | undefined)[] = [];
  for (const container of containers) {
    for (const item of DomUtils.getChildren(container)) {
      if (!isTag(item, itemName)) continue;
      const title = DomUtils.getChildren(item).find((n) => isTag(n, 'title'));
      const text = title ? DomUtils.textContent(title).replace(/\s+/g, ' ').trim() : '';
      titles.push(text || undefined);
    }
  }
  return titles;
}
