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

/** Inner markup of an Atom entry's `<content>` and `<summary>` written as xhtml (child elements). */
export interface XhtmlBodies {
  content?: string | undefined;
  summary?: string | undefined;
}

/**
 * The xhtml `<content>` and `<summary>` of each `<entry>`, serialized from the document in order, as xml2js lists
 * the entries: rss-parser re-serializes xml2js nodes, which puts `with <b>more</b> text` as `with text<b>more</b>`.
 * Only read when an entry's content or summary has child elements.
 */
export function entryXhtmlInOrder(xml: string): XhtmlBodies[] {
  // Entities left as written and written back so: XML mode decodes only XML's five, so a feed's `caf&eacute;` (not
  // well-formed XML, common all the same) would come out as `caf&amp;eacute;`; the HTML cleaning decodes them once.
  const doc = parseDocument(xml, { xmlMode: true, decodeEntities: false });
  const root = DomUtils.getChildren(doc).find((node) => DomUtils.isTag(node));
  if (!root || !isTag(root, 'feed')) return [];
  return DomUtils.getChildren(root)
    .filter((node) => isTag(node, 'entry'))
    .map((entry) => {
      const body = (name: string) => {
        const node = DomUtils.getChildren(entry).find((n) => isTag(n, name));
        return node && DomUtils.getChildren(node).some((n) => DomUtils.isTag(n)) ? xhtmlMarkup(node) : undefined;
      };
      return { content: body('content'), summary: body('summary') };
    });
}

/** Children of an xhtml text construct as HTML: its wrapping `<div>` (RFC 4287 §3.1.1.3) and namespace prefixes dropped. */
function xhtmlMarkup(node: Element): string {
  const elements = DomUtils.getChildren(node).filter((n) => DomUtils.isTag(n) || DomUtils.getText(n).trim() !== '');
  const only = elements.length === 1 ? elements[0]! : undefined;
  const inner = only && DomUtils.isTag(only) && localName(only.name) === 'div' ? DomUtils.getChildren(only) : DomUtils.getChildren(node);
  for (const element of DomUtils.findAll(() => true, inner)) {
    element.name = localName(element.name);
    for (const name of Object.keys(element.attribs)) if (name === 'xmlns' || name.startsWith('xmlns:')) delete element.attribs[name];
  }
  // A CDATA section is text: written as escaped text, where HTML would read `<![CDATA[` as a comment and drop it.
  for (const cdata of DomUtils.filter((n) => n.type === 'cdata', inner, true)) {
    const text = DomUtils.getChildren(cdata)[0];
    if (text === undefined || !DomUtils.isText(text)) {
      DomUtils.removeElement(cdata);
      continue;
    }
    text.data = escapeText(text.data);
    DomUtils.replaceElement(cdata, text);
  }
  return inner.map((n) => DomUtils.getOuterHTML(n, { decodeEntities: false })).join('');
}

const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);
