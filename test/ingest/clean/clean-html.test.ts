import { readFileSync } from 'node:fs';
import { load } from 'cheerio';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanHtml, isTrackingImage } from '../../../src/ingest/clean/clean-html.js';

const seedShape = readFileSync(new URL('../../fixtures/clean/seed-article.html', import.meta.url), 'utf8');
const BASE = 'https://finance.sina.com.cn/china/2022-04-27/doc-example.shtml';

/** Every element that holds no text and no image/br/hr: what the cleaner must never leave behind. */
function emptyElements(html: string, parser: 'html5' | 'htmlparser2' = 'html5'): string[] {
  // htmlparser2 (what the cleaner parses with) nests tag soup differently from an HTML5 parser.
  const $ = load(html, parser === 'html5' ? null : { xml: { xmlMode: false, decodeEntities: true } }, false);
  return $('*')
    .filter((_, el) => !['img', 'br', 'hr', 'td', 'th'].includes((el as unknown as { tagName: string }).tagName) && $(el).text().trim() === '' && $(el).find('img,br,hr').length === 0)
    .toArray()
    .map((el) => $.html(el));
}

describe('cleanHtml on the seed shape', () => {
  it('(the empty-element probe itself finds empties)', () => {
    expect(emptyElements('<div><p><span></span>x</p><a href="#"></a><p><img src="a.png"></p></div>')).toEqual(['<span></span>', '<a href="#"></a>']);
  });

  const result = cleanHtml(seedShape, { baseUrl: BASE });
  const { html } = result;

  it('keeps every article paragraph and the stock link text', () => {
    for (const text of [
      '导读',
      '海边的小城用十年时间建起了一座港口',
      '当地一家银行推出了面向渔民的小额信贷，',
      '示例银行',
      '负责人介绍，审批从一周缩短到一天。',
      '港口调查报告',
      '展望',
      '“明年我们还会开通第二条航线。”港务局的工作人员说。',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('<p>　　导读</p>'); // <font> unwrapped, ideographic indentation kept
  });

  it('drops the QR-code ad, its style, the promotion and the editor line', () => {
    expect(html).not.toMatch(/appendQr|&#123;|\{|border:1px|海量资讯|新浪财经APP|app-download/);
    expect(html).not.toMatch(/责任编辑|王小明/);
    expect(result.firedRules).toEqual(expect.arrayContaining(['builtin:qr-ad', 'builtin:editor', 'builtin:stock-quote']));
  });

  it('drops comments, scripts, iframes, handlers, pixels and every class/id/data attribute', () => {
    expect(html).not.toMatch(/<!--|正文下iframe|news_keyword_pub|<script|__stat|<iframe|ads\.example|onclick|pixel\.gif/);
    expect(html).not.toMatch(/\s(?:class|id|style|target|cms-style|referrerpolicy|data-[\w-]+)=/);
  });

  it('leaves no empty element behind (the quote span included)', () => {
    expect(emptyElements(html)).toEqual([]);
    expect(html).not.toContain('quote_');
  });

  it('keeps the stock link, absolute, hardened, without its tracking attributes', () => {
    expect(html).toContain(
      '<a href="https://finance.sina.com.cn/realstock/company/sz000001/nc.shtml" rel="noopener noreferrer">示例银行</a>',
    );
  });

  it('resolves relative URLs and strips utm parameters', () => {
    expect(html).toContain('href="https://finance.sina.com.cn/news/harbour-report.shtml?id=42"');
    expect(html).toContain('src="https://finance.sina.com.cn/photos/harbour.jpg"');
    expect(result.images).toEqual(['https://finance.sina.com.cn/photos/harbour.jpg']);
  });

  it('leaves no blank-line bloat', () => {
    expect(html).not.toMatch(/\n[ \t]*\n/);
    expect(html).not.toMatch(/[ \t]{2,}/);
    expect(html.startsWith('<div>')).toBe(true);
    expect(html.endsWith('</div>')).toBe(true);
  });
});

describe('URL resolution', () => {
  it('makes href, src and srcset absolute against the base', () => {
    const { html } = cleanHtml(
      '<p><a href="../up.html#part">up</a> <a href="#top">top</a> <img src="img/a.png" srcset="img/a.png 1x, /img/a@2x.png 2x" alt="a"></p>',
      { baseUrl: 'https://example.com/dir/page.html' },
    );
    expect(html).toContain('href="https://example.com/up.html#part"');
    expect(html).toContain('href="https://example.com/dir/page.html#top"');
    expect(html).toContain('src="https://example.com/dir/img/a.png"');
    expect(html).toContain('srcset="https://example.com/dir/img/a.png 1x, https://example.com/img/a@2x.png 2x"');
  });

  it('drops relative URLs when there is no base, keeping the link text', () => {
    const result = cleanHtml('<p><a href="/x">text</a><img src="/a.png" alt="a"> tail</p>', { baseUrl: null });
    expect(result.html).toBe('<p><a rel="noopener noreferrer">text</a> tail</p>');
    expect(result.images).toEqual([]);
  });

  it('reads protocol-relative URLs as https without a base, and with the base scheme otherwise', () => {
    expect(cleanHtml('<p><img src="//cdn.example.com/a.png"></p>').images).toEqual(['https://cdn.example.com/a.png']);
    expect(cleanHtml('<p><img src="//cdn.example.com/a.png"></p>', { baseUrl: 'http://example.com/' }).images).toEqual([
      'http://cdn.example.com/a.png',
    ]);
  });

  it('ignores a base that is not an absolute http(s) URL', () => {
    expect(cleanHtml('<p><a href="/x">t</a></p>', { baseUrl: 'file:///etc/passwd' }).html).not.toContain('href');
    expect(cleanHtml('<p><a href="/x">t</a></p>', { baseUrl: 'not a url' }).html).not.toContain('href');
  });

  it('keeps mailto links and drops other schemes', () => {
    const { html } = cleanHtml(
      '<p><a href="mailto:desk@example.com?subject=Hi">mail</a><a href="ftp://example.com/f">ftp</a><a href="tel:+1">tel</a></p>',
    );
    expect(html).toContain('href="mailto:desk@example.com?subject=Hi"');
    expect(html).not.toMatch(/ftp:|tel:/);
  });
});

describe('tracking parameters', () => {
  it('strips utm_*, fbclid, gclid, mc_cid, mc_eid, igshid and keeps the rest in order', () => {
    const { html } = cleanHtml(
      '<p><a href="https://example.com/a?utm_source=x&amp;id=1&amp;fbclid=F&amp;gclid=G&amp;page=2&amp;mc_cid=c&amp;mc_eid=e&amp;igshid=i&amp;UTM_Campaign=z#frag">a</a></p>',
    );
    expect(html).toContain('href="https://example.com/a?id=1&amp;page=2#frag"');
  });

  it('removes the query entirely when only trackers were in it', () => {
    const { html } = cleanHtml('<p><a href="https://example.com/a?utm_source=x&amp;utm_medium=y">a</a></p>');
    expect(html).toContain('href="https://example.com/a"');
  });

  it('leaves look-alike parameters alone', () => {
    const { html } = cleanHtml('<p><a href="https://example.com/a?utmost=1&amp;gclid_x=2">a</a></p>');
    expect(html).toContain('href="https://example.com/a?utmost=1&amp;gclid_x=2"');
  });
});

describe('tracking images', () => {
  const pixels: Record<string, string>[] = [
    { src: 'https://example.com/a.gif', width: '1', height: '1' },
    { src: 'https://example.com/a.gif', width: '0', height: '0' },
    { src: 'https://example.com/a.gif', height: '1px' },
    { src: 'https://example.com/a.gif', style: 'display:none' },
    { src: 'https://example.com/a.gif', style: 'width:1px;height:1px' },
    { src: 'https://feeds.feedburner.com/~r/Example/~4/abcdef' },
    { src: 'https://pixel.wp.com/g.gif?blog=1' },
    { src: 'https://www.google-analytics.com/collect?v=1' },
    { src: 'https://example.com/__utm.gif?utmwv=5' },
    { src: 'https://example.com/stats/pixel.gif?id=3' },
    { src: 'https://example.com/track/open/123.png' },
    { src: 'https://example.com/mail/beacon.php?u=1' },
    { src: 'https://sb.scorecardresearch.com/p?c1=2' },
    { src: 'https://www.facebook.com/tr?id=1&ev=PageView' },
  ];
  it.each(pixels)('recognizes %o', (attribs) => {
    expect(isTrackingImage(attribs)).toBe(true);
  });

  const pictures: Record<string, string>[] = [
    { src: 'https://example.com/photos/harbour.jpg', width: '640', height: '360' },
    { src: 'https://example.com/images/tracking-shot-of-the-race.jpg' },
    { src: 'https://example.com/pixel-art/cat.png' },
    { src: '/images/countryside.jpg' },
    { src: 'https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png' },
  ];
  it.each(pictures)('keeps %o', (attribs) => {
    expect(isTrackingImage(attribs)).toBe(false);
  });

  it('removes pixels from the output and from the lead-image candidates', () => {
    const result = cleanHtml(
      '<p>Text<img src="https://example.com/a.jpg" alt="a"><img src="https://example.com/p.gif" width="1" height="1"><img src="https://feeds.feedburner.com/~r/x/~4/y"></p>',
    );
    expect(result.html).toBe('<p>Text<img src="https://example.com/a.jpg" alt="a" /></p>');
    expect(result.images).toEqual(['https://example.com/a.jpg']);
  });

  it('removes the paragraph a pixel was alone in', () => {
    expect(cleanHtml('<p>keep</p><p><img src="https://example.com/x.gif" width="1" height="1"></p>').html).toBe('<p>keep</p>');
  });
});

describe('empty elements', () => {
  it('removes nested empties repeatedly', () => {
    expect(cleanHtml('<div><p><span> </span><a href="https://e.com/"></a></p><ul><li>&nbsp;</li></ul></div><p>x</p>').html).toBe('<p>x</p>');
  });

  it('keeps elements holding only an image, a br or an hr', () => {
    const { html } = cleanHtml('<p><a href="https://e.com/"><img src="https://e.com/a.png"></a></p><p><br></p><div><hr></div>');
    expect(html).toBe(
      '<p><a href="https://e.com/" rel="noopener noreferrer"><img src="https://e.com/a.png" /></a></p><p><br /></p><div><hr /></div>',
    );
  });

  it('keeps empty table cells in place but drops wholly empty rows', () => {
    const { html } = cleanHtml('<table><tr><td>a</td><td></td></tr><tr><td> </td><td></td></tr></table>');
    expect(html).toBe('<table><tr><td>a</td><td></td></tr></table>');
  });
});

describe('allow-list', () => {
  it('keeps text structure, lists, tables, figures and code', () => {
    const input =
      '<h2>T</h2><blockquote><p><strong>b</strong> <em>i</em> <code>c</code></p></blockquote><pre>  two\n\n  lines</pre>' +
      '<ol><li>one</li></ol><table><caption>cap</caption><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="2">d</td></tr></tbody></table>' +
      '<figure><img src="https://e.com/f.png" alt="f" title="t" width="10" height="20"><figcaption>fc</figcaption></figure>';
    expect(cleanHtml(input).html).toBe(input.replace('height="20">', 'height="20" />'));
  });

  it('unwraps unknown tags, maps sectioning tags to div and drops content-bearing dangerous tags', () => {
    const { html } = cleanHtml(
      '<article><section><font color="red">a</font><center>b</center></section></article><noscript>ns</noscript><form action="/x"><input value="v">f</form><select><option>o</option></select>',
    );
    expect(html).toBe('<div><div>a<div>b</div></div></div>f');
  });

  it('keeps <pre> whitespace while collapsing elsewhere', () => {
    const { html } = cleanHtml('<p>a</p>\n\n\n<pre>x\n\n\ny</pre>\n\n<p>b</p>');
    expect(html).toBe('<p>a</p>\n<pre>x\n\n\ny</pre>\n<p>b</p>');
  });

  it('lists images in document order', () => {
    const { images } = cleanHtml('<p><img src="https://e.com/1.png"></p><div><img src="https://e.com/2.png"><img src="data:image/png;base64,AAAA"></div>');
    expect(images).toEqual(['https://e.com/1.png', 'https://e.com/2.png']);
  });
});

/** Classic XSS vectors: none may leave active content behind. */
const xssVectors = [
  '<img src=x onerror=alert(1)>',
  '<img src="https://e.com/a.png" onerror="alert(1)" onload="alert(2)">',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="jav&#x0A;ascript:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href=" \u0001javascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<svg onload=alert(1)><script>alert(2)</script></svg>',
  '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<div style="background:url(javascript:alert(1));width:expression(alert(1))">styled</div>',
  '<p style="behavior:url(x.htc)">p</p>',
  '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>',
  '<body onload=alert(1)>body</body>',
  '<scr<script>ipt>alert(1)</script>',
  '<<script>script>alert(1)//<</script>',
  '<img src="x` `<script>alert(1)</script>"` `>',
  '<a href="https://e.com/" onmouseover="alert(1)">hover</a>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//"><a href="/x">rel</a>',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<textarea><script>alert(1)</script></textarea>',
  '<style>@import "javascript:alert(1)";</style><p>after</p>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<a href="https://e.com/" data-x="1" class="c" id="i">ok</a>',
  '<details open ontoggle=alert(1)>d</details>',
  '<video><source onerror="alert(1)"></video><audio src=x onerror=alert(1)>',
];

/** What makes markup active or off the allow-list: dangerous tags, schemes, attributes, non-absolute URLs. */
function violations(html: string): string[] {
  const found: string[] = [];
  const tag = /<(?:script|style|iframe|object|embed|svg|math|form|input|button|meta|base|link|textarea|body|video|audio|source)\b/i.exec(html);
  if (tag) found.push(tag[0]);
  const scheme = /javascript:|vbscript:|data:|expression\(|srcdoc|xlink/i.exec(html);
  if (scheme) found.push(scheme[0]);
  const $ = load(html, null, false);
  $('*').each((_, el) => {
    for (const [name, value] of Object.entries((el as unknown as { attribs: Record<string, string> }).attribs)) {
      if (!['href', 'src', 'srcset', 'alt', 'title', 'width', 'height', 'rel', 'colspan', 'rowspan', 'start'].includes(name)) found.push(`${name}=`);
      else if ((name === 'href' || name === 'src') && !/^(?:https?:\/\/|mailto:)/.test(value)) found.push(`${name}=${value}`);
    }
  });
  return found;
}

describe('XSS vectors', () => {
  it.each(xssVectors)('%s leaves no active content', (vector) => {
    // Whatever text survived is inert: every element and attribute is on the allow-list.
    expect(violations(cleanHtml(vector, { baseUrl: 'https://safe.example/' }).html)).toEqual([]);
  });

  it('are each caught by the same probe before cleaning (so the cleaner, not the list, makes them pass)', () => {
    const harmless = xssVectors.filter((vector) => violations(vector).length === 0);
    expect(harmless).toEqual([]);
  });
});

describe('tag soup', () => {
  const tag = fc.constantFrom('p', 'div', 'span', 'b', 'a', 'img', 'br', 'script', 'style', 'font', 'section', 'li', 'ul', 'svg', 'iframe', 'pre', 'noscript', 'select', 'option');
  const attr = fc.constantFrom('', ' class="appendQr_wrap"', ' id="quote_1"', ' href="/x?utm_source=1&amp;a=2"', ' src="/i.png"', ' width="1"', ' onclick="x()"', ' class="article-editor"');
  const text = fc.constantFrom('', ' ', '\n\n  ', 'text', '责任编辑：某', '海量资讯、精准解读，尽在新浪财经APP', '&amp;', '&lt;', '　　');
  const piece = fc.oneof(fc.tuple(tag, attr).map(([t, a]) => `<${t}${a}>`), tag.map((t) => `</${t}>`), text, fc.constant('<!-- c -->'));

  it('is idempotent and leaves no active content, rule leftovers or empty elements', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const once = cleanHtml(parts.join(''), { baseUrl: 'https://e.com/d/' });
        expect(cleanHtml(once.html, { baseUrl: 'https://e.com/d/' }).html).toBe(once.html);
        expect(once.html).not.toMatch(/<(?:script|style|svg|iframe|select|option|noscript)|\son\w+=|class=|id=|utm_/);
        expect(emptyElements(once.html, 'htmlparser2')).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });
});
