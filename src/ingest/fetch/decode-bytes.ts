// Turns a feed's bytes into text before any parser sees them: rss-parser (sax) garbles GBK and
// other legacy charsets, so the encoding is settled here, once, and erased from the XML declaration.
import iconv from 'iconv-lite';
import { ParseError } from '../../errors.js';

export interface DecodedFeed {
  text: string;
  /** The encoding actually used (iconv-lite name, lower case). */
  encoding: string;
  warnings: string[];
}

/** Labels that name a single-byte charset: valid multi-byte UTF-8 under such a label is a mislabel. */
const SINGLE_BYTE = /^(?:us-?ascii|ascii|iso-?8859-\d+|iso_8859-\d+|latin-?\d|l\d|(?:windows|cp|x-cp)-?125\d|koi8-?[ru]|macintosh|mac-?roman|ibm\d+)$/;

/** Legacy multi-byte CJK labels: valid UTF-8 under one of these is a mislabel only when it is unmistakable. */
const MULTI_BYTE = /^(?:gb18030|big5(?:-?hkscs)?|shift_jis|euc-jp|cp949|euc-kr)$/;

/**
 * Canonical iconv-lite name for a charset label. Like browsers (WHATWG Encoding), a label names its
 * superset: GB2312/GBK → GB18030, Big5 → Big5-HKSCS, EUC-KR → CP949, ISO-8859-1 and ASCII → windows-1252
 * (feeds labelled Latin-1 routinely carry curly quotes in 0x80–0x9F, which Latin-1 makes control characters).
 */
function canonicalLabel(label: string): string {
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (/^(?:gb2312|gb_2312(?:-80)?|gbk|x-gbk|cp936|ms936|windows-936|euc-cn|csgb2312|gb18030)$/.test(l)) return 'gb18030';
  if (/^(?:big5|big-5|x-x-big5|cn-big5|csbig5|big5-hkscs|cp950)$/.test(l)) return 'big5-hkscs';
  if (/^(?:shift[-_]jis|x-sjis|sjis|ms_kanji|csshiftjis|windows-31j|cp932)$/.test(l)) return 'shift_jis';
  if (/^(?:euc-kr|x-euc-kr|ks_c_5601-1987|ksc5601|cp949|windows-949|cseuckr)$/.test(l)) return 'cp949';
  if (/^(?:iso-?8859-1|iso_8859-1(?::1987)?|latin-?1|l1|us-?ascii|ascii|cp819|ibm819)$/.test(l)) return 'windows-1252';
  if (/^(?:iso-?8859-9|latin-?5|l5)$/.test(l)) return 'windows-1254';
  const cp = /^(?:x-)?cp-?(125\d)$/.exec(l);
  if (cp) return `windows-${cp[1]}`;
  if (l === 'x-mac-roman' || l === 'mac-roman') return 'macintosh';
  if (l === 'unicode' || l === 'ucs-2' || l === 'iso-10646-ucs-2') return 'utf-16le';
  if (l === 'utf8') return 'utf-8';
  return l;
}

/** Count of multi-byte UTF-8 sequences (lead bytes), a measure of how unmistakably the bytes are UTF-8. */
function utf8Sequences(body: Buffer): number {
  let n = 0;
  for (const byte of body) if (byte >= 0xc2 && byte <= 0xf4) n++;
  return n;
}

function isValidUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function hasNonAscii(body: Buffer): boolean {
  for (const byte of body) if (byte >= 0x80) return true;
  return false;
}

/** Count of well-formed multi-byte UTF-8 sequences in bytes that may not be UTF-8 as a whole. */
function wellFormedUtf8Sequences(body: Buffer): number {
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const lead = body[i]!;
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) continue;
    let ok = i + length <= body.length;
    for (let k = 1; ok && k < length; k++) ok = (body[i + k]! & 0xc0) === 0x80;
    if (ok) {
      n++;
      i += length - 1;
    }
  }
  return n;
}

function charsetFromContentType(contentType: string | null): string | null {
  const m = contentType?.match(/charset\s*=\s*["']?([^"';\s]+)/i);
  return m?.[1] ?? null;
}

/** The label of the XML declaration, read as ASCII from the first bytes. */
function charsetFromXmlDeclaration(body: Buffer): string | null {
  const head = body.subarray(0, 1024).toString('latin1');
  const m = head.match(/^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']/);
  return m?.[1] ?? null;
}

/** The label of an HTML page's `<meta charset>` or `<meta http-equiv="Content-Type">`, within the first 1024 bytes as browsers look. */
function charsetFromHtmlMeta(body: Buffer): string | null {
  const head = body.subarray(0, 1024).toString('latin1');
  const m = head.match(/<meta\b[^>]*?\bcharset\s*=\s*["']?([^"'\s;/>]+)/i);
  return m?.[1] ?? null;
}

/**
 * UTF-16 without a BOM: an XML document starts with `<` (or whitespace) in two-byte units, so `<\0x\0`
 * is little-endian and `\0<\0x` big-endian. No ASCII-compatible encoding produces those bytes.
 */
function sniffUtf16(body: Buffer): string | null {
  if (body.length < 4) return null;
  const start = (b: number | undefined) => b === 0x3c || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
  const ascii = (b: number | undefined) => b !== undefined && b > 0 && b < 0x80;
  if (start(body[0]) && body[1] === 0 && ascii(body[2]) && body[3] === 0) return 'utf-16le';
  if (body[0] === 0 && start(body[1]) && body[2] === 0 && ascii(body[3])) return 'utf-16be';
  return null;
}

function sniffBom(body: Buffer): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return null;
}

/** Removes the encoding pseudo-attribute so nothing downstream re-decodes the already decoded text. */
export function stripXmlDeclarationEncoding(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/^(\s*<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/, '$1');
}

/**
 * Decodes feed (or page) bytes. Precedence: `override`, BOM, Content-Type charset, XML declaration or HTML
 * `<meta charset>`, UTF-8.
 * Valid multi-byte UTF-8 wins over a single-byte label; an unknown label falls back to UTF-8 when the
 * bytes allow it and otherwise throws ParseError naming the label.
 */
/** `input` names the document in errors (its URL or file), so a failed run says which feed it was. */
export function decodeFeedBytes(body: Buffer, contentType: string | null, override?: string, input = 'feed body'): DecodedFeed {
  const warnings: string[] = [];
  let label: string;
  let from: string;
  // A BOM, or UTF-16 code units, are facts about the bytes; labels are claims that may be wrong.
  const bom = sniffBom(body) ?? sniffUtf16(body);
  const headerCharset = charsetFromContentType(contentType);
  const xmlDeclared = charsetFromXmlDeclaration(body);
  const declared = xmlDeclared ?? charsetFromHtmlMeta(body);
  if (override && override.trim()) [label, from] = [override, 'configured encoding'];
  else if (bom) [label, from] = [bom, sniffBom(body) ? 'byte order mark' : 'UTF-16 sniffing'];
  else if (headerCharset) [label, from] = [headerCharset, 'Content-Type charset'];
  else if (declared) [label, from] = [declared, xmlDeclared ? 'XML declaration' : 'meta charset'];
  else [label, from] = ['utf-8', 'default'];

  let encoding = canonicalLabel(label);
  const isOverride = from === 'configured encoding';
  const mislabelled =
    (SINGLE_BYTE.test(encoding) || /^windows-125\d$/.test(encoding)) ? hasNonAscii(body) : MULTI_BYTE.test(encoding) && utf8Sequences(body) >= 4;
  if (!isOverride && mislabelled && isValidUtf8(body)) {
    warnings.push(`${from} says "${label}" but the bytes are valid UTF-8; decoded as UTF-8`);
    encoding = 'utf-8';
  }
  if (!iconv.encodingExists(encoding)) {
    if (!isOverride && isValidUtf8(body)) {
      warnings.push(`unknown character encoding "${label}" (${from}); decoded as UTF-8`);
      encoding = 'utf-8';
    } else {
      throw new ParseError(input, `unknown character encoding "${label}" (${from})`);
    }
  }
  if (!isOverride && /^utf-?16/.test(encoding) && !bom && isValidUtf8(body)) {
    // A UTF-16 label on bytes with neither BOM nor two-byte units: the label is wrong.
    warnings.push(`${from} says "${label}" but the bytes are not UTF-16; decoded as UTF-8`);
    encoding = 'utf-8';
  }
  if (/^utf-?16$/.test(encoding)) encoding = body[0] === 0 ? 'utf-16be' : 'utf-16le';
  if (encoding === 'utf-8' && !isValidUtf8(body)) {
    if (from === 'default') {
      // Unlabelled and not UTF-8: legacy Western feeds are the common case, and windows-1252 loses no byte.
      warnings.push('no charset declared and the bytes are not UTF-8; decoded as windows-1252');
      encoding = 'windows-1252';
    } else if (!isOverride && wellFormedUtf8Sequences(body) === 0) {
      // Labelled UTF-8 yet not one multi-byte sequence is well formed: a legacy single-byte document.
      warnings.push(`${from} says "${label}" but the bytes are not UTF-8; decoded as windows-1252`);
      encoding = 'windows-1252';
    } else warnings.push(`invalid UTF-8 byte sequences replaced with U+FFFD (${from} says "${label}")`);
  }
  const text = iconv.decode(body, encoding, { stripBOM: true });
  return { text: stripXmlDeclarationEncoding(text), encoding, warnings };
}
