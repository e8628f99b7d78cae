import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.js';
import { decodeFeedBytes } from '../../../src/ingest/fetch/decode-bytes.js';
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js';

const gbkRss = (declared: string) =>
  `<?xml version="1.0" encoding="${declared}"?>\n<rss version="2.0"><channel><title>新浪财经</title>` +
  `<item><title>为实体经济提质增效</title><link>https://finance.example/a</link></item></channel></rss>`;

describe('decodeFeedBytes', () => {
  it('reads GBK bytes labelled gb2312 as GB18030 and erases the declared encoding', async () => {
    const body = iconv.encode(gbkRss('gb2312'), 'gbk');
    const decoded = decodeFeedBytes(body, 'text/xml');
    expect(decoded.encoding).toBe('gb18030');
    expect(decoded.text).toMatch(/^<\?xml version="1.0"\?>/);
    const doc = await parseFeed(decoded.text, 'https://finance.example/rss');
    expect(doc.title).toBe('新浪财经');
    expect(doc.items[0]?.title).toBe('为实体经济提质增效');
  });

  it('reads an HTML page in the charset its <meta> declares (full-text pages), after the Content-Type charset', () => {
    const page = (meta: string) => iconv.encode(`<!DOCTYPE html><html><head>${meta}<title>x</title></head><body><p>深圳速度</p></body></html>`, 'gbk');
    for (const meta of ['<meta charset="gb2312">', '<meta http-equiv="Content-Type" content="text/html; charset=GBK">']) {
      const decoded = decodeFeedBytes(page(meta), 'text/html', undefined, 'https://news.example/a');
      expect(decoded.encoding).toBe('gb18030');
      expect(decoded.text).toContain('<p>深圳速度</p>');
    }
    expect(decodeFeedBytes(page('<meta charset="utf-8">'), 'text/html; charset=gbk').encoding).toBe('gb18030');
  });

  it('lets the Content-Type charset win over the XML declaration', () => {
    const body = iconv.encode(gbkRss('utf-8'), 'gbk');
    const decoded = decodeFeedBytes(body, 'application/rss+xml; charset="GBK"');
    expect(decoded.encoding).toBe('gb18030');
    expect(decoded.text).toContain('新浪财经');
  });

  it('lets a BOM win over the Content-Type charset', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss><channel><title>Ünïcode</title></channel></rss>', 'utf16le')]);
    expect(decodeFeedBytes(utf16, 'text/xml; charset=iso-8859-1').text).toBe('<rss><channel><title>Ünïcode</title></channel></rss>');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('<a>é</a>', 'utf-16be')]);
    expect(decodeFeedBytes(be, null).text).toBe('<a>é</a>');
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>ç</a>')]);
    expect(decodeFeedBytes(utf8, 'text/xml; charset=windows-1252')).toMatchObject({ text: '<a>ç</a>', encoding: 'utf-8' });
  });

  it('decodes a correctly labelled single-byte charset', () => {
    const body = iconv.encode('<?xml version="1.0" encoding="windows-1251"?><rss><channel><title>Новости</title></channel></rss>', 'win1251');
    const decoded = decodeFeedBytes(body, null);
    expect(decoded).toMatchObject({ encoding: 'windows-1251', warnings: [] });
    expect(decoded.text).toBe('<?xml version="1.0"?><rss><channel><title>Новости</title></channel></rss>');
  });

  it('prefers valid multi-byte UTF-8 over a wrong single-byte label, with a warning', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Crème brûlée</title></channel></rss>');
    const decoded = decodeFeedBytes(body, null);
    expect(decoded.encoding).toBe('utf-8');
    expect(decoded.text).toContain('Crème brûlée');
    expect(decoded.warnings).toEqual(['XML declaration says "ISO-8859-1" but the bytes are valid UTF-8; decoded as UTF-8']);
  });

  it('keeps the single-byte label when the bytes are not UTF-8 (Latin-1 read as its superset windows-1252)', () => {
    const body = iconv.encode('<rss><channel><title>Crème “quoted”</title></channel></rss>', 'win1252');
    const decoded = decodeFeedBytes(body, 'text/xml; charset=iso-8859-1');
    expect(decoded).toMatchObject({ encoding: 'windows-1252', warnings: [] });
    // Read as strict Latin-1, the curly quotes (0x93/0x94) would become C1 control characters.
    expect(decoded.text).toContain('Crème “quoted”');
  });

  it('falls back to UTF-8 for an unknown label when the bytes allow it, naming the label', () => {
    const decoded = decodeFeedBytes(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss>ok ✓</rss>'), null);
    expect(decoded.encoding).toBe('utf-8');
    expect(decoded.text).toBe('<?xml version="1.0"?><rss>ok ✓</rss>');
    expect(decoded.warnings).toEqual(['unknown character encoding "x-klingon" (XML declaration); decoded as UTF-8']);
  });

  it('throws ParseError naming an unknown label when the bytes are not UTF-8', () => {
    const body = Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x80, 0x3c, 0x2f, 0x61, 0x3e]);
    let error: unknown;
    try {
      decodeFeedBytes(body, 'text/xml; charset=x-klingon');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toContain('unknown character encoding "x-klingon"');
  });

  it('lets an override win over everything, even valid UTF-8', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="utf-8"?><a>Ã©</a>');
    const decoded = decodeFeedBytes(body, 'text/xml; charset=utf-8', 'windows-1252');
    expect(decoded.encoding).toBe('windows-1252');
    expect(decoded.text).toBe('<?xml version="1.0"?><a>ÃƒÂ©</a>');
  });

  it('reads unlabelled non-UTF-8 bytes as windows-1252 rather than replacement characters', () => {
    const decoded = decodeFeedBytes(iconv.encode('<rss><channel><title>Notícias</title></channel></rss>', 'win1252'), null);
    expect(decoded.text).toContain('Notícias');
    expect(decoded.warnings).toEqual(['no charset declared and the bytes are not UTF-8; decoded as windows-1252']);
  });

  // Each legacy encoding: bytes produced by iconv-lite, labelled the way real servers label them.
  const samples: [string, string, string][] = [
    ['GBK (labelled gb2312)', 'gb2312', '为实体经济提质增效，撑腰“深圳速度”'],
    ['GB18030 (4-byte sequences)', 'gb18030', '𠮷野家 € 〇 ㄅ'],
    ['Big5', 'big5', '臺灣新聞：立法院今日開議'],
    ['Shift_JIS', 'shift_jis', '日本語のニュース、東京都'],
    ['EUC-KR', 'euc-kr', '한국어 뉴스 서울특별시'],
    ['Windows-1251', 'windows-1251', 'Новости России — «Москва»'],
    ['Windows-1252', 'windows-1252', 'Café “Noël” – €5 œuvre'],
    ['ISO-8859-2', 'iso-8859-2', 'Zażółć gęślą jaźń, Łódź'],
    ['ISO-8859-5', 'iso-8859-5', 'Привет, мир'],
    ['ISO-8859-7', 'iso-8859-7', 'Καλημέρα κόσμε'],
    ['ISO-8859-15', 'iso-8859-15', 'Œuvre à 5 €'],
    ['KOI8-R', 'koi8-r', 'Ёжик в тумане, Санкт-Петербург'],
  ];
  const doc = (label: string, title: string) =>
    `<?xml version="1.0" encoding="${label}"?><rss version="2.0"><channel><title>${title}</title><item><title>${title}</title></item></channel></rss>`;

  it.each(samples)('decodes %s from its XML declaration and from the Content-Type charset', async (_name, label, title) => {
    const body = iconv.encode(doc(label, title), label);
    expect(isUtf8(body)).toBe(false);
    const byDeclaration = decodeFeedBytes(body, 'application/rss+xml');
    expect(byDeclaration.warnings).toEqual([]);
    expect((await parseFeed(byDeclaration.text, 'https://news.example/rss')).title).toBe(title);
    const byHeader = decodeFeedBytes(iconv.encode(doc('utf-8', title).replace(' encoding="utf-8"', ''), label), `text/xml; charset=${label.toUpperCase()}`);
    expect(byHeader.text).toContain(`<title>${title}</title>`);
  });

  it.each(samples)('decodes %s with a per-source override when the feed labels nothing', (_name, label, title) => {
    const body = iconv.encode(`<rss><channel><title>${title}</title></channel></rss>`, label);
    expect(decodeFeedBytes(body, 'text/xml', label).text).toBe(`<rss><channel><title>${title}</title></channel></rss>`);
  });

  it.each([
    ['utf-16le', [0xff, 0xfe]],
    ['utf-16be', [0xfe, 0xff]],
  ] as const)('decodes %s with a BOM, whatever the declaration or header claims', async (encoding, bom) => {
    const xml = doc('UTF-16', 'Ünïcödé 中文 Кириллица');
    const body = Buffer.concat([Buffer.from(bom), iconv.encode(xml, encoding)]);
    const decoded = decodeFeedBytes(body, 'text/xml; charset=utf-8');
    expect(decoded.encoding).toBe(encoding);
    expect((await parseFeed(decoded.text, 'https://x.example/rss')).title).toBe('Ünïcödé 中文 Кириллица');
  });

  it.each(['utf-16le', 'utf-16be'])('decodes %s without a BOM when the declaration says UTF-16 (bytes start <\0 or \0<)', async (encoding) => {
    const body = iconv.encode(doc('UTF-16', 'Sans BOM: 東京'), encoding);
    expect(body[0] === 0x3c || body[1] === 0x3c).toBe(true);
    const decoded = decodeFeedBytes(body, null);
    expect(decoded.encoding).toBe(encoding);
    expect((await parseFeed(decoded.text, 'https://x.example/rss')).title).toBe('Sans BOM: 東京');
    const noDeclaration = iconv.encode('<rss version="2.0"><channel><title>Без BOM</title></channel></rss>', encoding);
    expect(decodeFeedBytes(noDeclaration, 'application/xml; charset=utf-16').text).toContain('Без BOM');
  });

  it('reads UTF-8 labelled UTF-16 (no BOM, no two-byte units) as UTF-8, with a warning', () => {
    const decoded = decodeFeedBytes(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss>café</rss>'), null);
    expect(decoded).toMatchObject({ encoding: 'utf-8', text: '<?xml version="1.0"?><rss>café</rss>' });
    expect(decoded.warnings[0]).toContain('not UTF-16');
  });

  it('prefers unmistakable UTF-8 over a wrong GBK label, but not two stray bytes', () => {
    const utf8 = Buffer.from(gbkRss('gb2312'));
    const decoded = decodeFeedBytes(utf8, null);
    expect(decoded.encoding).toBe('utf-8');
    expect(decoded.text).toContain('为实体经济提质增效');
    expect(decoded.warnings[0]).toContain('valid UTF-8');
    // "Ã©" in GBK is two bytes that happen to be valid UTF-8; too little evidence to overrule the label.
    expect(decodeFeedBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0xa9, 0x3c, 0x2f, 0x61, 0x3e]), 'text/xml; charset=gbk').encoding).toBe('gb18030');
  });

  it('reads Latin-1 bytes labelled UTF-8 as windows-1252 when no byte sequence is UTF-8 at all', () => {
    const body = iconv.encode('<?xml version="1.0" encoding="utf-8"?><note><to>Anaïs</to><from>Jürgen</from></note>', 'latin1');
    const decoded = decodeFeedBytes(body, null);
    expect(decoded).toMatchObject({ encoding: 'windows-1252', text: '<?xml version="1.0"?><note><to>Anaïs</to><from>Jürgen</from></note>' });
    expect(decoded.warnings).toEqual(['XML declaration says "utf-8" but the bytes are not UTF-8; decoded as windows-1252']);
    // Mostly UTF-8 with one broken byte stays UTF-8, the broken byte replaced.
    const mixed = Buffer.concat([Buffer.from('<a>Jürgen '), Buffer.from([0xe9]), Buffer.from('</a>')]);
    expect(decodeFeedBytes(mixed, 'text/xml; charset=utf-8').text).toBe('<a>Jürgen \uFFFD</a>');
  });

  it('maps vendor aliases to their encodings', () => {
    const sjis = iconv.encode('<a>東京</a>', 'shift_jis');
    expect(decodeFeedBytes(sjis, 'text/xml; charset=x-sjis').text).toBe('<a>東京</a>');
    const cyr = iconv.encode('<a>Москва</a>', 'win1251');
    expect(decodeFeedBytes(cyr, 'text/xml; charset=x-cp1251').text).toBe('<a>Москва</a>');
    const kr = iconv.encode('<a>서울</a>', 'cp949');
    expect(decodeFeedBytes(kr, 'text/xml; charset=ks_c_5601-1987').text).toBe('<a>서울</a>');
  });
});

function isUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}
