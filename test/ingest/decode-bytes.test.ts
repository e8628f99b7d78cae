import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { decodeFeedBytes } from '../../src/ingest/decode-bytes.js';
import { parseFeed } from '../../src/ingest/parse-feed.js';

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

  it('keeps the single-byte label when the bytes are not UTF-8', () => {
    const body = iconv.encode('<rss><channel><title>Crème</title></channel></rss>', 'latin1');
    const decoded = decodeFeedBytes(body, 'text/xml; charset=iso-8859-1');
    expect(decoded).toMatchObject({ encoding: 'iso-8859-1', warnings: [] });
    expect(decoded.text).toContain('Crème');
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
});
