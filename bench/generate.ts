// Benchmark data, written into temporary folders: seed-shaped article files (DESIGN §3) and
// synthetic stories for large stores. Deterministic for a given seed, so runs compare.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Article } from '../src/types.js';

/** Small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `feed-bench-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made (the 1M store alone is several GB). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const HAN = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你说年经发工面能方主金融市场企业资本投资银行科技创新服务实体经济数字发展增长政策监管风险产品平台数据交易价格指数基金证券保险消费城市区域深圳上海北京广州';
const CATEGORY_TREE: [string, string][] = [
  ['金融', '新浪财经'], ['金融', '新浪财经－国內'], ['金融', '证券'], ['科技', '手机'], ['科技', '互联网'],
  ['科技', '人工智能'], ['游戏', '免费游戏'], ['游戏', 'Webtoons'], ['体育', '足球'], ['体育', '篮球'],
  ['汽车', '新能源'], ['房产', '深圳'], ['教育', '考试'], ['健康', '医疗'], ['旅游', '国内游'],
  ['文化', '读书'], ['财经', '宏观'], ['财经', '公司'], ['国际', '亚洲'], ['国际', '欧洲'],
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function sentence(rand: () => number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) out += HAN[Math.floor(rand() * HAN.length)];
  return out;
}

const AD_BLOCK = `
<!-- 总声明-->
<!-- 文末二维码 start -->
            <style>
            .appendQr_wrap&#123;border:1px solid #E6E6E6;padding:8px;&#125;
            .appendQr_normal img&#123;width:74px;&#125;
            </style>
            <div class="clearfix appendQr_wrap">
                <div class="appendQr_normal"><img src="https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png" referrerpolicy="no-referrer"></div>
                <div class="appendQr_normal_txt">海量资讯、精准解读，尽在新浪财经APP</div>
            </div>
            <!-- 文末二维码 start -->
<!-- 编辑姓名及工作代码 -->
`;

/** An HTML body of about `bytes` UTF-8 bytes in the crawler's shape, junk included. */
function htmlBody(rand: () => number, bytes: number): string {
  const parts = ['<div>   '];
  let size = 0;
  let n = 0;
  while (size < bytes) {
    const para = sentence(rand, 40 + Math.floor(rand() * 120));
    let p: string;
    if (n % 9 === 4) {
      const code = `sz00${String(1000 + Math.floor(rand() * 9000))}`;
      p = `<p cms-style="font-L">　　${para}<span id="stock_${code}"><a href="https://finance.sina.com.cn/realstock/company/${code}/nc.shtml" class="keyword" target="_blank" data-sudaclick="content_marketkeywords_p">平安银行</a></span><span id="quote_${code}"></span>${sentence(rand, 20)}</p>`;
    } else if (n % 13 === 7) {
      p = `<p cms-style="font-L">　　<font cms-style="font-L strong-Bold">${sentence(rand, 12)}</font></p>`;
    } else if (n % 17 === 11) {
      p = `<p><img src="https://n.sinaimg.cn/finance/${Math.floor(rand() * 1e8)}.jpg" alt=""></p>\n<!-- 正文下iframe -->`;
    } else {
      p = `<p cms-style="font-L">　　${para}</p>`;
    }
    parts.push(p);
    size += Buffer.byteLength(p);
    n++;
  }
  parts.push(AD_BLOCK, `<p class="article-editor">责任编辑：${sentence(rand, 3)} </p>`, '<!-- 编辑姓名及工作代码-->', '', '  ', '</div>');
  return parts.join('\n');
}

function markdownBody(rand: () => number, bytes: number): string {
  const parts = [`# ${sentence(rand, 10)}`, ''];
  let size = 0;
  while (size < bytes) {
    const p = rand() < 0.2 ? `- ${sentence(rand, 30)}\n- [链接](https://example.com/${Math.floor(rand() * 1e6)})` : sentence(rand, 80 + Math.floor(rand() * 100));
    parts.push(p, '');
    size += Buffer.byteLength(p);
  }
  return parts.join('\n');
}

function rfc822(ms: number): string {
  return new Date(ms).toUTCString();
}

function localDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export interface SeedFolderOptions {
  files: number;
  seed?: number;
  /** Share of files that re-state an earlier story (other folder, `_` title, shifted date). Default 0.1. */
  duplicateShare?: number;
  /** Short posts (the crawled shape of most feeds: 0.3–2 KB of body) instead of 1–30 KB articles. */
  short?: boolean;
}

export interface GeneratedSeedFolder {
  root: string;
  /** Article files written (non-article files not counted). */
  articleFiles: string[];
  bytes: number;
}

interface Story {
  title: string;
  dateMs: number;
  body: string;
  head: string;
}

/** Writes `files` seed articles under `root/source/_posts/<cat>/<sub>/`, plus a few non-article files. */
export function generateSeedFolder(root: string, options: SeedFolderOptions): GeneratedSeedFolder {
  const rand = random(options.seed ?? 42);
  const dupShare = options.duplicateShare ?? 0.1;
  const base = Date.UTC(2022, 3, 27, 0, 0, 0);
  const stories: Story[] = [];
  const articleFiles: string[] = [];
  let bytes = 0;
  const dirs = new Set<string>();
  for (let i = 0; i < options.files; i++) {
    const [cat, sub] = pick(rand, CATEGORY_TREE);
    const dir = path.join(root, 'source', '_posts', cat, sub);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
      // Beside the articles: skipped quietly.
      writeFileSync(path.join(dir, '.DS_Store'), 'Bud1');
      writeFileSync(path.join(dir, 'cover.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    }
    let story: Story;
    let title: string;
    let dateMs: number;
    if (stories.length > 20 && rand() < dupShare) {
      // The crawler's copy of an earlier story: `_` for “”:?/ and a date a few hours off.
      story = pick(rand, stories);
      title = story.title.replace(/[“”:?/]/g, '_');
      dateMs = story.dateMs + Math.floor(rand() * 8) * 3_600_000;
    } else {
      const size = options.short ? 300 + Math.floor(rand() * 1700) : 1024 + Math.floor(rand() ** 2 * 29 * 1024);
      const md = rand() < 0.05;
      title = `${sentence(rand, 6)}“${sentence(rand, 3)}”${sentence(rand, 4)}: ${sentence(rand, 5)}? ${i}`;
      dateMs = base - Math.floor(rand() * 365 * 86_400_000);
      story = { title, dateMs, body: md ? markdownBody(rand, size) : htmlBody(rand, size), head: `https://n.sinaimg.cn/finance/${i}.png` };
      stories.push(story);
    }
    const date = rand() < 0.8 ? rfc822(dateMs) : rand() < 0.9 ? localDate(dateMs) : 'Invalid Date';
    const quoted = rand() < 0.5 ? `'${title.replace(/'/g, "''")}'` : JSON.stringify(title);
    const text = [
      '',
      '---',
      `title: ${quoted}`,
      'categories: ',
      ` - ${cat}`,
      ` - ${sub}`,
      `headimg: '${story.head}'`,
      'author: 新浪财经',
      'comments: false',
      `date: ${date}`,
      `thumbnail: '${rand() < 0.1 ? '/images/404.gif' : story.head}'`,
      '---',
      '',
      story.body,
      '',
    ].join('\n');
    const name = `${String(i).padStart(6, '0')}_${Math.floor(rand() * 2 ** 32).toString(16)}${rand() < 0.3 ? '.md' : '.txt'}`;
    const file = path.join(dir, name);
    writeFileSync(file, text);
    // A fixed mtime (the fallback date for `Invalid Date`) keeps rescans comparable.
    utimesSync(file, new Date(dateMs), new Date(dateMs));
    articleFiles.push(file);
    bytes += Buffer.byteLength(text);
  }
  return { root, articleFiles, bytes };
}

/** `count` categories named c00…, for synthetic stores. */
export function categoryNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `category ${String(i).padStart(2, '0')}`);
}

/**
 * Synthetic articles `from`…`from + count - 1` for a large store: each its own story (unique title),
 * one of `categories` categories, a short cleaned body, published over the last three years.
 */
export function syntheticArticles(from: number, count: number, categories: number): Article[] {
  const rand = random(from + 1);
  const base = Date.UTC(2025, 0, 1);
  const out: Article[] = [];
  for (let i = from; i < from + count; i++) {
    const c = i % categories;
    const title = `Story ${i} ${sentence(rand, 8)}`;
    const body = `<p>${sentence(rand, 120)}</p>\n<p>${sentence(rand, 80)} <a href="https://example.com/${i}" rel="noopener noreferrer">source</a></p>`;
    out.push({
      sourceKey: 'source:bench',
      originId: `https://example.com/${i}`,
      title,
      titleKey: `story${i}`,
      link: `https://example.com/${i}`,
      guid: null,
      published: new Date(base - Math.floor(rand() * 3 * 365 * 86_400_000)),
      updated: null,
      author: 'bench',
      categories: [{ slug: `category-${String(c).padStart(2, '0')}`, name: `category ${String(c).padStart(2, '0')}` }],
      image: null,
      contentHtml: body,
      summary: body.replace(/<[^>]*>/g, '').slice(0, 200),
    });
  }
  return out;
}
