// Stories stored in a test store, served on 127.0.0.1 and a headless Chromium to read them: the set-up the page
// tests share.
import type { Browser } from 'playwright-core';
import { openTestStore } from '../fixtures/publish/articles.js';
import { serveStore, type Served } from '../server/serve.js';
import type { Article } from '../../src/types.js';
import { launchChromium } from './chromium.js';

export interface BrowsedStories {
  served: Served;
  browser: Browser;
  close(): Promise<void>;
}

export async function browseStories(articles: Article[]): Promise<BrowsedStories> {
  const { store } = await openTestStore('2025-01-01T00:00:00Z');
  await store.storeRun({ sourceKey: 'source:A', articles });
  const served = await serveStore(store);
  const browser = await launchChromium();
  return {
    served, browser,
    async close() {
      await browser.close();
      await served.close();
    },
  };
}
