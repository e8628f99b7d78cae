import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { clusterOrigins, createDedupPolicy, mergeOrigins, plainTextLength, storyId, titleKey } from '../../src/ingest/dedup.js';
import { HOUR, T0, article, at, cat } from '../fixtures/dedup/articles.js';
import type { Article } from '../../src/types.js';

const WINDOW = 12 * HOUR;
const ids = (clusters: Article[][]) => clusters.map((cluster) => cluster.map((origin) => origin.originId));

describe('titleKey', () => {
  it('folds final sigma, so a key does not change when computed again', () => {
    expect(titleKey('º 𝜍')).toBe('oσ');
    expect(titleKey(titleKey('º 𝜍'))).toBe('oσ');
    expect(titleKey('ΟΔΟΣ')).toBe(titleKey('οδος'));
  });

  it('composes Hangul jamo that become neighbours once punctuation is gone', () => {
    expect(titleKey('㈀ㅏ')).toBe('가');
    expect(titleKey(titleKey('㈀ㅏ'))).toBe('가');
  });

  it('ignores quotes, the crawler’s _ substitutes, spaces and punctuation', () => {
    const keys = ['“撑腰”', '_撑腰_', '"撑腰"', '撑 腰', '「撑腰」！'].map(titleKey);
    expect(new Set(keys)).toEqual(new Set(['撑腰']));
    expect(titleKey('为实体经济提质增效_撑腰_ _深圳速度_背后的金融科技力量')).toBe(
      titleKey('为实体经济提质增效“撑腰” “深圳速度”背后的金融科技力量'),
    );
  });

  it('folds case, width (NFKC) and special casings', () => {
    expect(titleKey('Markets Rally')).toBe(titleKey('MARKETS, rally!'));
    expect(titleKey('Ｔｅｃｈ　News')).toBe('technews');
    expect(titleKey('Straße')).toBe(titleKey('STRASSE'));
  });

  it('folds traditional Chinese to simplified', () => {
    expect(titleKey('国內')).toBe(titleKey('国内'));
    expect(titleKey('新浪財經－國內')).toBe('新浪财经国内');
  });

  it('keeps letters of every script and digits', () => {
    expect(titleKey('Тест 2022: ニュース')).toBe('тест2022ニュース');
  });

  it('keeps numbers apart: a separator between two digits stays as one mark', () => {
    expect(titleKey('沪指收涨2.5%')).not.toBe(titleKey('沪指收涨25%'));
    expect(titleKey('北向资金净买入5.0亿元')).not.toBe(titleKey('北向资金净买入50亿元'));
    expect(titleKey('Version 2.0.1')).not.toBe(titleKey('Version 2.0.10'));
    // …while the crawler's substitutes and spacing still agree.
    expect(titleKey('10:30 briefing')).toBe(titleKey('10_30 briefing'));
    expect(titleKey('2022/04/27 早报')).toBe(titleKey('2022_04_27 早报'));
    expect(titleKey('涨 2.5 %')).toBe(titleKey('涨2.5%'));
    expect(titleKey('第3季度')).toBe('第3季度');
    expect(titleKey('沪指涨2%')).not.toBe(titleKey('沪指涨3%'));
  });

  it('is empty for a title without letters or digits', () => {
    expect(titleKey(' “—” ')).toBe('');
  });
});

describe('clusterOrigins', () => {
  it('merges an 8-hour time-zone slip but not the same column a day later', () => {
    const origins = [
      article({ title: '今日股市', originId: 'a', published: at(0) }),
      article({ title: '今日股市', originId: 'b', published: at(8) }),
      article({ title: '今日股市', originId: 'c', published: at(24) }),
      article({ title: '今日股市', originId: 'd', published: at(60) }),
    ];
    expect(ids(clusterOrigins(origins, WINDOW))).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('keeps 36 hours apart separate and includes exactly the window', () => {
    const pair = (hours: number) => [
      article({ title: 'Same', originId: 'x', published: at(0) }),
      article({ title: 'Same', originId: 'y', published: at(hours) }),
    ];
    expect(clusterOrigins(pair(36), WINDOW)).toHaveLength(2);
    expect(clusterOrigins(pair(12), WINDOW)).toHaveLength(1);
    expect(clusterOrigins(pair(12.001), WINDOW)).toHaveLength(2);
  });

  it('measures the window from the cluster’s earliest origin, not from its latest', () => {
    const origins = [0, 10, 20].map((hours) => article({ title: 'Chain', originId: `h${hours}`, published: at(hours) }));
    expect(ids(clusterOrigins(origins, WINDOW))).toEqual([['h0', 'h10'], ['h20']]);
  });

  it('never merges different title keys or untitled articles', () => {
    const origins = [
      article({ title: 'One', originId: '1' }),
      article({ title: 'Two', originId: '2' }),
      article({ title: '—', originId: '3' }),
      article({ title: '…', originId: '4' }),
    ];
    expect(clusterOrigins(origins, WINDOW)).toHaveLength(4);
  });

  it('gives the same clusters for any input order', () => {
    const origins = [0, 3, 9, 13, 14, 30, 41, 42].map((hours, index) =>
      article({ title: index % 3 === 0 ? 'Other' : 'Daily', sourceKey: index % 2 ? 'seed' : 'source:A', originId: `o${index}`, published: at(hours) }),
    );
    const expected = ids(clusterOrigins(origins, WINDOW));
    fc.assert(
      fc.property(fc.shuffledSubarray(origins, { minLength: origins.length, maxLength: origins.length }), (shuffled) => {
        expect(ids(clusterOrigins(shuffled, WINDOW))).toEqual(expected);
      }),
    );
  });
});

describe('mergeOrigins', () => {
  const seedA = article({
    sourceKey: 'seed',
    originId: '金融/a.md',
    title: '为实体经济提质增效_撑腰_ _深圳速度_背后',
    link: null,
    published: at(0),
    categories: [cat('finance', '金融'), cat('sina', '新浪财经')],
    contentHtml: '<p>short body</p>',
    author: null,
  });
  const seedB = article({
    sourceKey: 'seed',
    originId: '金融/b.md',
    title: '为实体经济提质增效_撑腰_ “深圳速度”背后',
    link: 'https://seed.example/b',
    published: at(2),
    categories: [cat('sina', '新浪财经'), cat('domestic', '国内')],
    contentHtml: '<p>a <b>much</b> longer body with more words in it</p>',
    image: 'https://img.example/b.png',
    author: '新浪财经',
  });
  const feed = article({
    sourceKey: 'source:Sina',
    originId: 'guid-1',
    title: '为实体经济提质增效“撑腰” “深圳速度”背后',
    link: 'https://finance.sina.example/1',
    published: at(8),
    categories: [cat('finance', '金融')],
    contentHtml: '<p>medium body, feed</p>',
    image: 'https://img.example/feed.png',
    author: 'Sina',
  });

  it('keeps the union of categories, every link, the earliest time, the fullest body and an image', () => {
    const story = mergeOrigins([feed, seedB, seedA]);
    expect(story.id).toBe(storyId(seedA));
    expect(story.published).toEqual(at(0));
    expect(story.categories).toEqual([cat('finance', '金融'), cat('sina', '新浪财经'), cat('domestic', '国内')]);
    expect(story.link).toBe('https://finance.sina.example/1');
    expect(story.links).toEqual(['https://finance.sina.example/1', 'https://seed.example/b']);
    expect(story.contentHtml).toBe(seedB.contentHtml);
    expect(story.summary).toBe(seedB.summary);
    expect(story.image).toBe('https://img.example/b.png');
    expect(story.author).toBe('新浪财经');
  });

  it('leads with the chosen body’s own image, else a feed origin’s, else the earliest seed origin’s', () => {
    const noImage = { ...seedB, image: null };
    expect(mergeOrigins([feed, seedB, seedA]).image).toBe(seedB.image); // the fullest body's own
    // The earliest seed copy's image loses to the feed's once the chosen body has none.
    expect(mergeOrigins([{ ...seedA, image: 'https://img.example/a.png' }, noImage, feed]).image).toBe(feed.image);
    expect(mergeOrigins([{ ...seedA, image: 'https://img.example/a.png' }, noImage, { ...feed, image: null }]).image).toBe('https://img.example/a.png');
    expect(mergeOrigins([seedA, noImage, { ...feed, image: null }]).image).toBeNull();
  });

  it('prefers the feed’s title, with its original punctuation', () => {
    expect(mergeOrigins([seedA, feed, seedB]).title).toBe(feed.title);
  });

  it('among seed titles takes the one with the fewest _ substitutes', () => {
    expect(mergeOrigins([seedA, seedB]).title).toBe(seedB.title);
    expect(mergeOrigins([seedB, seedA]).title).toBe(seedB.title);
  });

  it('takes the first link when no feed origin has one', () => {
    const story = mergeOrigins([seedA, seedB]);
    expect(story.link).toBe('https://seed.example/b');
    expect(story.links).toEqual(['https://seed.example/b']);
  });

  it('measures the fullest body by its text, not its markup', () => {
    const marked = article({ title: 'X', originId: 'm', contentHtml: '<div class="a very long class attribute"><p>hi</p></div>' });
    const plain = article({ title: 'X', originId: 'p', published: at(1), contentHtml: '<p>hello there</p>' });
    expect(plainTextLength(marked.contentHtml)).toBe(2);
    expect(mergeOrigins([marked, plain]).contentHtml).toBe(plain.contentHtml);
  });

  it('is the same story for any order of its origins', () => {
    const origins = [seedA, seedB, feed, article({ title: seedA.title, sourceKey: 'source:B', originId: 'z', published: at(2) })];
    const expected = mergeOrigins(origins);
    fc.assert(
      fc.property(fc.shuffledSubarray(origins, { minLength: 4, maxLength: 4 }), (shuffled) => {
        expect(mergeOrigins(shuffled)).toEqual(expected);
      }),
    );
  });

  it('derives a stable 20-hex-digit id from the earliest origin', () => {
    expect(storyId(seedA)).toMatch(/^[0-9a-f]{20}$/);
    expect(storyId(seedA)).toBe(storyId({ sourceKey: 'seed', originId: '金融/a.md' }));
    expect(storyId(seedA)).not.toBe(storyId(seedB));
  });
});

describe('createDedupPolicy', () => {
  it('applies its window', () => {
    const origins = [article({ title: 'W', originId: '1', published: at(0) }), article({ title: 'W', originId: '2', published: at(20) })];
    expect(createDedupPolicy(24 * HOUR).cluster(origins)).toHaveLength(1);
    expect(createDedupPolicy(12 * HOUR).cluster(origins)).toHaveLength(2);
    expect(createDedupPolicy(WINDOW).merge(origins).published.getTime()).toBe(T0);
  });

  it('rejects a negative window', () => {
    expect(() => createDedupPolicy(-1)).toThrow(RangeError);
  });
});
