// The rebuild of PostgreSQL's word index reads and segments only the start of a long body (rebuild-words.ts):
// what it indexes must be exactly what storing the story indexes, for every kind of body — short, long Chinese,
// long text whose only Chinese comes late (it decides how all the text is cut), markup-heavy, punctuation-heavy,
// characters outside the BMP — so search results never depend on how a story reached the index.
import { expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { HOUR, T0, article, cat } from '../fixtures/dedup/articles.js';
import { freshPostgresUrl, openStoreAt, withPostgresClient } from '../support/store-backends.js';

const repeat = (unit: (i: number) => string, chars: number): string => {
  let text = '';
  for (let i = 0; text.length < chars; i++) text += unit(i);
  return text;
};

const BODIES: Record<string, string> = {
  short: '<p>Harbour report: the walrus sightings, café naïve.</p>',
  shortChinese: '<p>中华人民共和国的大学生参加了新闻发布会。</p>',
  longChinese: repeat((i) => `<p>第${i}段：中华人民共和国的大学生在北京参加了新闻发布会，记者报道了经济发展。</p>`, 700_000),
  lateChinese: repeat((i) => `<p>Paragraph ${i}: the café owner's naïve Σίσυφος plan.</p>`, 900_000) + '<p>最后的中文段落</p>',
  markup: repeat((i) => `<p><span class="a"><span class="b"><span class="c"><a href="https://example.com/${i}">w${i}</a></span></span></span></p>`, 1_500_000),
  punctuation: repeat((i) => `<p>— … — … — … — … — … — … — … — … — … — … — … — … — … — … — … — … — … word${i}</p>`, 1_200_000),
  astral: repeat((i) => `<p>𠀀${i}😀 abc😀def 𝒳y</p>`, 500_000),
  entities: repeat((i) => `<p>a&amp;b &lt;${i}&gt; &#x4e2d;&#25991; caf&eacute;</p>`, 500_000),
};

it('indexes every kind of body exactly as storing it does', { timeout: 240_000 }, async () => {
  const url = await freshPostgresUrl();
  const store = await openStoreAt(url, createDedupPolicy(12 * HOUR));
  const articles = Object.entries(BODIES).map(([name, contentHtml], i) =>
    article({ sourceKey: 'source:W', title: `Story ${name}`, published: new Date(T0 + i * HOUR), categories: [cat('news')], contentHtml, summary: name }));
  await store.storeRun({ sourceKey: 'source:W', articles });
  const indexed = () => withPostgresClient(url, async (client) =>
    (await client.query<{ title: string; words: string }>('SELECT s.title, w.words::text AS words FROM story_search w JOIN stories s ON s.id = w.id ORDER BY s.title')).rows);
  const stored = await indexed();
  expect(stored).toHaveLength(Object.keys(BODIES).length);
  await withPostgresClient(url, (client) => client.query('UPDATE story_search SET words = NULL'));
  for (let remaining = 1; remaining > 0; ) remaining = (await store.rebuildSearchIndex(3)).remaining;
  const rebuilt = await indexed();
  for (const [i, row] of rebuilt.entries()) expect({ title: row.title, same: row.words === stored[i]!.words }).toEqual({ title: stored[i]!.title, same: true });
});
