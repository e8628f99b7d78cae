// The extraction thread's task (extract-pool.ts runs it through piscina): a page's markup in, its article out.
// The thread loads linkedom and Readability as it starts, and says when each page starts, so a page's timeout
// counts its own work, not the thread's start-up. A page over the markup cap comes back as `tooLarge` (an Error's
// class does not survive the thread boundary).
import { parentPort } from 'node:worker_threads';
import { extractArticle, loadDom, PageTooLargeError, type ExtractRule } from './extract-article.js';

export interface ExtractTask {
  id: number;
  html: string;
  pageUrl: string;
  rule: ExtractRule;
}
export type ExtractReply = { html: string | null } | { tooLarge: string };
/** Posted on the thread's parent port as a page starts. */
export interface ExtractStarted {
  extractionStarted: number;
}

await loadDom();

export default async function extractTask({ id, html, pageUrl, rule }: ExtractTask): Promise<ExtractReply> {
  parentPort?.postMessage({ extractionStarted: id } satisfies ExtractStarted);
  try {
    return { html: await extractArticle(html, pageUrl, rule) };
  } catch (error) {
    if (error instanceof PageTooLargeError) return { tooLarge: error.message };
    throw error;
  }
}
