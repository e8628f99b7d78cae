import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { siteRulesSchema, type SiteRules } from '../../../src/config/schema.js';
import { cleanHtml } from '../../../src/ingest/clean/clean-html.js';
import { builtinRules, compileSelector, validateSiteRules } from '../../../src/ingest/clean/site-rules.js';

const rules = (input: Partial<SiteRules>): SiteRules => siteRulesSchema.parse(input);

describe('built-in rules', () => {
  it('are named so firedRules can report them', () => {
    expect(builtinRules.map((r) => r.name)).toEqual(['builtin:qr-ad', 'builtin:editor', 'builtin:stock-quote']);
  });

  it('builtin:qr-ad removes the .appendQr_wrap block with its image', () => {
    const result = cleanHtml(
      '<p>正文</p><div class="clearfix appendQr_wrap"><div class="appendQr_normal"><img src="https://n.sinaimg.cn/qr.png"></div><div class="appendQr_normal_txt">扫码下载</div></div>',
    );
    expect(result.html).toBe('<p>正文</p>');
    expect(result.images).toEqual([]);
    expect(result.firedRules).toEqual(['builtin:qr-ad']);
  });

  it('builtin:qr-ad drops the app promotion as a block and as loose text', () => {
    expect(cleanHtml('<p>正文</p><p> 海量资讯、精准解读，尽在新浪财经APP </p>').html).toBe('<p>正文</p>');
    const loose = cleanHtml('<div>正文<br>海量资讯、精准解读，尽在新浪财经APP</div>');
    expect(loose.html).toBe('<div>正文<br /></div>');
    expect(loose.firedRules).toEqual(['builtin:qr-ad']);
  });

  it.each([
    '海量资讯、精准解读，尽在新浪财经APP',
    '海量资讯、精准解读',
    '海量资讯,精准解读,尽在示例财经客户端。',
    '海量资讯 精准解读 尽在新浪财经 APP',
  ])('builtin:qr-ad drops the promotion written as "%s"', (promo) => {
    const result = cleanHtml(`<p>正文</p><p>${promo}</p>`);
    expect(result.html).toBe('<p>正文</p>');
    expect(result.firedRules).toEqual(['builtin:qr-ad']);
  });

  it('builtin:qr-ad reports the images it removed, so none can lead the article', () => {
    const result = cleanHtml(
      '<p>正文<img src="https://e.com/photo.jpg"></p><div class="appendQr_wrap"><div><img src="https://n.sinaimg.cn/qr.png"></div></div><img src="https://e.com/p.gif" width="1" height="1">',
    );
    expect(result.images).toEqual(['https://e.com/photo.jpg']);
    expect(result.removedImages).toEqual(['https://n.sinaimg.cn/qr.png', 'https://e.com/p.gif']);
  });

  it('builtin:qr-ad leaves a paragraph that merely mentions the app', () => {
    const html = '<p>他说：“海量资讯、精准解读，尽在新浪财经APP”是一句广告语。</p>';
    expect(cleanHtml(html).html).toBe(html);
  });

  it('builtin:editor removes p.article-editor and credit lines by their text', () => {
    for (const credit of ['<p class="article-editor">责任编辑：何某 </p>', '<div>责任编辑:张三</div>', '<p><span>责任编辑</span>：李四 SF001</p>']) {
      const result = cleanHtml(`<p>正文</p>${credit}`);
      expect(result.html).toBe('<p>正文</p>');
      expect(result.firedRules).toEqual(['builtin:editor']);
    }
  });

  it('builtin:editor does not swallow a long block that starts with a credit', () => {
    const long = `<div>责任编辑：王五${'正文内容'.repeat(40)}</div>`;
    expect(cleanHtml(long).html).toBe(long);
  });

  it('builtin:stock-quote removes empty quote spans only', () => {
    const empty = cleanHtml('<p>甲<span id="quote_sz000001"></span>乙</p>');
    expect(empty.html).toBe('<p>甲乙</p>');
    expect(empty.firedRules).toEqual(['builtin:stock-quote']);
    const filled = cleanHtml('<p>甲<span id="quote_sz000001">12.30</span>乙</p>');
    expect(filled.html).toBe('<p>甲<span>12.30</span>乙</p>');
    expect(filled.firedRules).toEqual([]);
  });

  it('fire nothing on clean input', () => {
    expect(cleanHtml('<p>plain</p>').firedRules).toEqual([]);
  });
});

describe('configured rules', () => {
  it('builtin: false turns the built-ins off', () => {
    const result = cleanHtml('<p>正文</p><div class="appendQr_wrap">扫码</div><p class="article-editor">责任编辑：某</p>', {
      rules: rules({ builtin: false }),
    });
    expect(result.html).toBe('<p>正文</p><div>扫码</div><p>责任编辑：某</p>');
    expect(result.firedRules).toEqual([]);
  });

  it.each([
    ['aside', '<aside>related</aside>'],
    ['.promo', '<div class="box promo">ad</div>'],
    ['#share', '<div id="share">share</div>'],
    ['[data-ad]', '<p data-ad="1">ad</p>'],
    ['[data-ad=top]', '<p data-ad="top">ad</p>'],
    ['div[id^="ad-"]', '<div id="ad-7">ad</div>'],
    ['a[href$=".exe"]', '<p><a href="https://e.com/x.exe">download</a></p>'],
    ['img[src*="banner"]', '<p><img src="https://e.com/banner-1.png"></p>'],
    ['p.note[title~=sponsored]', '<p class="note" title="a sponsored post">ad</p>'],
    ['font, .nothing', '<font color="red">ad</font>'],
    ['div.related > p', '<div class="related"><p>ad</p></div>'],
    ['p:only-child', '<div><p>ad</p></div>'],
  ])('remove: %s', (selector, boilerplate) => {
    const result = cleanHtml(`<p>keep</p>${boilerplate}`, { rules: rules({ remove: [selector] }) });
    expect(result.html).toBe('<p>keep</p>');
    expect(result.firedRules).toEqual([`remove:${selector}`]);
  });

  it('remove: does not fire on elements it does not match', () => {
    const result = cleanHtml('<p class="promotional">keep</p><div id="ad-x">keep too</div>', {
      rules: rules({ remove: ['.promo', 'p[id^="ad-"]', 'section > p'] }),
    });
    expect(result.html).toBe('<p>keep</p><div>keep too</div>');
    expect(result.firedRules).toEqual([]);
  });

  it('dropText: drops a block whose whole trimmed text matches', () => {
    const result = cleanHtml('<p>keep</p><p> 推荐阅读：别的文章 </p><li>本文来源：某报</li>', {
      rules: rules({ dropText: ['推荐阅读[：:].*', '本文来源：\\S+'] }),
    });
    expect(result.html).toBe('<p>keep</p>');
    expect(result.firedRules).toEqual(['dropText:推荐阅读[：:].*', 'dropText:本文来源：\\S+']);
  });

  it('dropText: leaves blocks where the pattern covers only part of the text, and inline elements', () => {
    const html = '<p>正文里提到了推荐阅读：一本书。</p><p>甲<b>推荐阅读：乙</b></p>';
    const result = cleanHtml(html, { rules: rules({ dropText: ['推荐阅读[：:].*'] }) });
    expect(result.html).toBe(html);
    expect(result.firedRules).toEqual([]);
  });

  it('dropText: the innermost block goes, not its wrapper', () => {
    const result = cleanHtml('<div><p>Sponsored</p><p>story</p></div>', { rules: rules({ dropText: ['sponsored'] }) });
    expect(result.html).toBe('<div><p>Sponsored</p><p>story</p></div>'); // case-sensitive: no match
    const exact = cleanHtml('<div><p>Sponsored</p><p>story</p></div>', { rules: rules({ dropText: ['[Ss]ponsored'] }) });
    expect(exact.html).toBe('<div><p>story</p></div>');
  });

  it('stripAttributes: removes the named attributes before the allow-list keeps them', () => {
    const result = cleanHtml('<p><a href="https://e.com/" title="t">a</a><img src="https://e.com/i.png" width="10" height="20" alt="i"></p>', {
      rules: rules({ stripAttributes: ['title', 'WIDTH', 'height'] }),
    });
    expect(result.html).toBe('<p><a href="https://e.com/" rel="noopener noreferrer">a</a><img src="https://e.com/i.png" alt="i" /></p>');
  });

  it('reports images removed by configured rules: simple selectors, DOM-pass selectors and dropText', () => {
    const html =
      '<p>keep</p><div class="ad"><img src="/a.png"></div><div class="rel"><p><img src="https://e.com/b.png"> 相关</p></div>' +
      '<p><img src="https://e.com/c.png">推荐阅读：别的</p>';
    const result = cleanHtml(html, { baseUrl: 'https://site.example/x/', rules: rules({ remove: ['.ad', 'div.rel > p'], dropText: ['推荐阅读：.*'] }) });
    expect(result.html).toBe('<p>keep</p>');
    expect(result.removedImages.sort()).toEqual(['https://e.com/b.png', 'https://e.com/c.png', 'https://site.example/a.png']);
    expect(result.leadCandidates).toEqual([]);
  });

  it('configured rules add to the built-ins', () => {
    const result = cleanHtml('<p class="x">x</p><p>keep</p><p class="article-editor">责任编辑：某</p>', { rules: rules({ remove: ['.x'] }) });
    expect(result.html).toBe('<p>keep</p>');
    expect(result.firedRules).toEqual(['remove:.x', 'builtin:editor']);
  });
});

describe('selectors and validation', () => {
  it('compiles compound selectors and leaves combinators and pseudo-classes to the DOM pass', () => {
    expect(compileSelector('div.a#b[c^="d"]')?.('div', { class: 'z a', id: 'b', c: 'dee' })).toBe(true);
    expect(compileSelector('div.a#b[c^="d"]')?.('div', { class: 'z a', id: 'b', c: 'ed' })).toBe(false);
    expect(compileSelector('*')?.('p', {})).toBe(true);
    for (const complex of ['div p', 'div > p', 'a + b', 'a ~ b', 'p:first-child', 'p::before', '.a.b:not(.c)']) {
      expect(compileSelector(complex)).toBeNull();
    }
  });

  it('reports invalid selectors and patterns', () => {
    expect(validateSiteRules({ remove: ['div[', '.ok', 'div > p'], dropText: ['(unclosed', 'fine'] })).toEqual([
      'remove: invalid CSS selector "div["',
      'dropText: invalid regular expression "(unclosed"',
    ]);
  });

  it('skips invalid rules instead of failing the article', () => {
    // The config schema refuses these; a rules object built in code can still carry them.
    const invalid: SiteRules = { remove: ['div['], dropText: ['(unclosed'], stripAttributes: [], builtin: true };
    const result = cleanHtml('<p>keep</p>', { rules: invalid });
    expect(result.html).toBe('<p>keep</p>');
  });
});

describe('config validation of site rules', () => {
  it('reports bad selectors and patterns with file, line, column and path', () => {
    const yaml = [
      'sources:',
      '  - name: a',
      '    url: https://a.example/feed',
      '  - name: b',
      '    url: https://b.example/feed',
      '  - name: c',
      '    url: https://c.example/feed',
      '    rules:',
      '      remove: ["div["]',
      '      dropText: ["ok", "(unclosed"]',
      'seedFolder:',
      '  rules:',
      '    remove: [".fine", "p:no-such-pseudo"]',
    ].join('\n');
    let message = '';
    try {
      parseConfig(yaml, 'agg.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('agg.yaml:9:16 sources[2].rules.remove[0]: invalid CSS selector "div["');
    expect(message).toContain('agg.yaml:10:24 sources[2].rules.dropText[1]: invalid regular expression "(unclosed"');
    expect(message).toContain('seedFolder.rules.remove[1]: invalid CSS selector "p:no-such-pseudo"');
    expect(message).not.toContain('.fine');
  });

  it('accepts valid rules, complex selectors included', () => {
    const config = parseConfig('sources: []\nseedFolder:\n  rules:\n    remove: ["div.related > p", "p:only-child"]\n    dropText: ["推荐阅读.*"]\n', 'ok.yaml');
    expect(config.seedFolder?.rules?.remove).toEqual(['div.related > p', 'p:only-child']);
  });
});

describe('rules on the seed shape', () => {
  const page = readFileSync(new URL('../../fixtures/clean/seed-article.html', import.meta.url), 'utf8');

  it('built-ins alone: every known block goes, and each rule is reported once', () => {
    const result = cleanHtml(page, { baseUrl: 'https://finance.sina.com.cn/china/2022-04-27/doc-1.shtml' });
    expect(result.firedRules).toEqual(['builtin:stock-quote', 'builtin:qr-ad', 'builtin:editor']);
    for (const gone of ['appendQr', '海量资讯', '责任编辑', 'n.sinaimg.cn/finance/qr']) expect(result.html).not.toContain(gone);
    expect(result.removedImages).toContain('https://n.sinaimg.cn/finance/qr/app-download.png');
  });

  it('configured per seed folder: remove, dropText and stripAttributes on top of the built-ins', () => {
    const result = cleanHtml(page, {
      baseUrl: 'https://finance.sina.com.cn/china/2022-04-27/doc-1.shtml',
      rules: rules({ remove: ['span[id^="stock_"]'], dropText: ['\\s*(?:导读|展望)'], stripAttributes: ['alt', 'width', 'height'] }),
    });
    // In first-fired order: the 导读 heading closes first.
    expect(result.firedRules).toEqual(['dropText:\\s*(?:导读|展望)', 'remove:span[id^="stock_"]', 'builtin:stock-quote', 'builtin:qr-ad', 'builtin:editor']);
    expect(result.html).not.toMatch(/导读|展望|示例银行|alt=|width=/);
    expect(result.html).toContain('<img src="https://finance.sina.com.cn/photos/harbour.jpg" />');
    expect(result.html).toContain('审批从一周缩短到一天');
  });
});
