// Turns a feed's bytes into text before any parser sees them: rss-parser (sax) garbles GBK and
// other legacy charsets, so the encoding is settled here, once, and erased from the XML declaration.
import iconv from 'iconv-lite';
import { ParseError } from '../errors.js';

export interface DecodedFeed {
  text: string;
  /** The encoding actually used (iconv-lite name, lower case). */
  encoding: string;
  warnings: string[];
}

/** Labels that name a single-byte charset: valid multi-byte UTF-8 under such a label is a mislabel. */
const SINGLE_BYTE = /^(?:us-?ascii|ascii|iso-?8859-\d+|iso_8859-\d+|latin-?\d|l\d|(?:windows|cp|x-cp)-?125\d|koi8-?[ru]|macintosh|mac-?roman|ibm\d+)$/;

/** Canonical iconv-lite name for a charset label (GB2312 and GBK are read as their superset GB18030). */
function canonicalLabel(label: string): string {
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (/^(?:gb2312|gb_2312(?:-80)?|gbk|x-gbk|cp936|ms936|windows-936|euc-cn|gb18030)$/.test(l)) return 'gb18030';
  if (l === 'utf8') return 'utf-8';
  return l;
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

/** UTF-16 without a BOM still starts with `<?` in two-byte units. */
function sniffUtf16(body: Buffer): string | null {
  if (body.length < 4) return null;
  if (body[0] === 0x3c && body[1] === 0 && body[2] === 0x3f && body[3] === 0) return 'utf-16le';
  if (body[0] === 0 && body[1] === 0x3c && body[2] === 0 && body[3] === 0x3f) return 'utf-16be';
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
 * Decodes feed bytes. Precedence: `override`, BOM, Content-Type charset, XML declaration, UTF-8.
 * Valid multi-byte UTF-8 wins over a single-byte label; an unknown label falls back to UTF-8 when the
 * bytes allow it and otherwise throws ParseError naming the label.
 */
export function decodeFeedBytes(body: Buffer, contentType: string | null, override?: string): DecodedFeed {
  const warnings: string[] = [];
  let label: string;
  let from: string;
  const bom = sniffBom(body);
  const headerCharset = charsetFromContentType(contentType);
  const declared = charsetFromXmlDeclaration(body);
  if (override && override.trim()) [label, from] = [override, 'configured encoding'];
  else if (bom) [label, from] = [bom, 'byte order mark'];
  else if (headerCharset) [label, from] = [headerCharset, 'Content-Type charset'];
  else if (declared) [label, from] = [declared, 'XML declaration'];
  else {
    const utf16 = sniffUtf16(body);
    [label, from] = utf16 ? [utf16, 'UTF-16 sniffing'] : ['utf-8', 'default'];
  }

  let encoding = canonicalLabel(label);
  const isOverride = from === 'configured encoding';
  if (!isOverride && SINGLE_BYTE.test(encoding) && hasNonAscii(body) && isValidUtf8(body)) {
    warnings.push(`${from} says "${label}" but the bytes are valid UTF-8; decoded as UTF-8`);
    encoding = 'utf-8';
  }
  if (!iconv.encodingExists(encoding)) {
    if (!isOverride && isValidUtf8(body)) {
      warnings.push(`unknown character encoding "${label}" (${from}); decoded as UTF-8`);
      encoding = 'utf-8';
    } else {
      throw new ParseError('feed body', `unknown character encoding "${label}" (${from})`);
    }
  }
  if (encoding === 'utf-8' && !isValidUtf8(body)) {
    if (from === 'default') {
      // Unlabelled and not UTF-8: legacy Western feeds are the common case, and windows-1252 loses no byte.
      warnings.push('no charset declared and the bytes are not UTF-8; decoded as windows-1252');
      encoding = 'windows-1252';
    } else warnings.push(`invalid UTF-8 byte sequences replaced with U+FFFD (${from} says "${label}")`);
  }
  const text = iconv.decode(body, encoding, { stripBOM: true });
  return { text: stripXmlDeclarationEncoding(text), encoding, warnings };
}
