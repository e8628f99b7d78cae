// Titles and bodies written with child elements (Atom xhtml, or markup left unescaped in RSS), in document
// order: xml2js, under rss-parser, keeps an element's own text apart from its children's, so their order
// is lost. Only read when an item has such an element (rare), with htmlparser2 in XML mode.
import { DomUtils, parseDocument } from 'htmlparser2';
import { deepText, type XNode } from './xml-node.js';

type Element = ReturnType<typeof DomUtils.getChildren>[number];

const isTag = (node: Element, name: string): boolean => DomUtils.isTag(node) && node.name === name;

/** True when an xml2js node holds child elements (any key besides attributes `$` and text `_`). */
export function hasChildElements(node: unknown): boolean {
  return typeof node === 'object' && node !== null && Object.keys(node).some((key) => key !== '$' && key !== '_');
}

/**
 * Inner markup, as HTML, of an item's title and bodies written with child elements: Atom `<title>`, `<content>`,
 * `<summary>`; RSS and RDF `<title>`, `<content:encoded>` (content) and `<description>` (summary).
 */
export interface ItemMarkup {
  title?: string | undefined;
  content?: string | undefined;
  summary?: string | undefined;
}

/**
 * The markup of each item (Atom `entry`, RSS and RDF `item`) in the order the items appear under their feed or
 * channel, as xml2js lists them: rss-parser re-serializes xml2js nodes, which puts `with <b>more</b> text` as
 * `with text<b>more</b>`. An element without child elements is left undefined (xml2js reads it right).
 */
export function itemMarkupInOrder(xml: string): ItemMarkup[] {
  // Entities left as written and written back so: the markup is what the publisher wrote as (X)HTML, read once by
  // the HTML cleaning and title reading. XML mode decodes only XML's five, so a feed's `caf&eacute;` (not
  // well-formed XML, common all the same) would stay `caf&eacute;`, or come out as `caf&amp;eacute;` if written back.
  const doc = parseDocument(xml, { xmlMode: true, decodeEntities: false });
  const root = DomUtils.getChildren(doc).find((node) => DomUtils.isTag(node));
  if (!root || !DomUtils.isTag(root)) return [];
  const atom = root.name === 'feed';
  const containers = root.name === 'rss' ? DomUtils.getChildren(root).filter((n) => isTag(n, 'channel')).slice(0, 1) : [root];
  const items: ItemMarkup[] = [];
  for (const container of containers) {
    for (const item of DomUtils.getChildren(container)) {
      if (!isTag(item, atom ? 'entry' : 'item')) continue;
      const markup = (name: string, cdata: 'text' | 'html' = 'text') => {
        const node = DomUtils.getChildren(item).find((n) => isTag(n, name));
        return node && DomUtils.getChildren(node).some((n) => DomUtils.isTag(n)) ? innerMarkup(node, atom, cdata) : undefined;
      };
      // An RSS body is HTML written as text, and CDATA is how it is usually written: there its text is HTML source.
      items.push(atom
        ? { title: markup('title'), content: markup('content'), summary: markup('summary') }
        : { title: markup('title'), content: markup('content:encoded', 'html'), summary: markup('description', 'html') });
    }
  }
  return items;
}

/**
 * A title with child elements: its markup in document order, read as HTML (entities decoded once, tags dropped),
 * or, when the document's items could not be matched to xml2js's, all of its text as text.
 */
export function mixedTitle(node: XNode | undefined, markup: string | undefined): { text: string; isText: boolean } | undefined {
  if (markup?.trim()) return { text: markup, isText: false };
  const text = deepText(node);
  return text ? { text, isText: true } : undefined;
}

/**
 * Children of an element as HTML, namespace prefixes dropped; an Atom xhtml text construct also loses its wrapping
 * `<div>` (RFC 4287 §3.1.1.3). CDATA sections are text (xhtml, titles) or HTML source (RSS bodies), as `cdata` says.
 */
function innerMarkup(node: Element, atom: boolean, cdata: 'text' | 'html'): string {
  const elements = DomUtils.getChildren(node).filter((n) => DomUtils.isTag(n) || DomUtils.getText(n).trim() !== '');
  const only = atom && elements.length === 1 ? elements[0]! : undefined;
  const inner = only && DomUtils.isTag(only) && localName(only.name) === 'div' ? DomUtils.getChildren(only) : DomUtils.getChildren(node);
  for (const element of DomUtils.findAll(() => true, inner)) {
    element.name = localName(element.name);
    for (const name of Object.keys(element.attribs)) if (name === 'xmlns' || name.startsWith('xmlns:')) delete element.attribs[name];
  }
  // A CDATA section written out as its text (escaped when it is text), where HTML would read `<![CDATA[` as a
  // comment and drop it.
  for (const section of DomUtils.filter((n) => n.type === 'cdata', inner, true)) {
    const text = DomUtils.getChildren(section)[0];
    if (text === undefined || !DomUtils.isText(text)) {
      DomUtils.removeElement(section);
      continue;
    }
    if (cdata === 'text') text.data = escapeText(text.data);
    DomUtils.replaceElement(section, text);
  }
  return inner.map((n) => DomUtils.getOuterHTML(n, { decodeEntities: false })).join('');
}

const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);
