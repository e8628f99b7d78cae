// How the SQLite writer fills the word index: a run's words are written together, not a segment per story
// (search-table.ts `writeMany`), and what they index is the same as written one by one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { FINANCE, article, openTestStore } from '../fixtures/publish/articles.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openFileStore(): Promise<{ store: Store; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'search-writes-'));
  dirs.push(dir);
  const file = path.join(dir, 'store.db');
  const { store } = await openTestStore('2025-01-01T00:00:00Z', file);
  stores.push(store);
  return { store, file };
}

/** FTS5 stamps each indexed row with the count of in-memory flushes so far: one value per flush that held rows. */
function flushesHolding(file: string, rowids: readonly number[]): number {
  const db = new Database(file, { readonly: true });
  try {
    const origins = db.prepare<[number], { origin: number }>('SELECT origin FROM story_words_docsize WHERE id = ?');
    return new Set(rowids.map((rowid) => origins.get(rowid)!.origin)).size;
  } finally {
    db.close();
  }
}

function rowidsOf(file: string, storyTitles: readonly string[]): number[] {
  const db = new Database(file, { readonly: true });
  try {
    const byTitle = db.prepare<[string], { rowid: number }>('SELECT rowid FROM stories WHERE title = ?');
    return storyTitles.map((title) => byTitle.get(title)!.rowid);
  } finally {
    db.close();
  }
}

const STORIES = 40;
const titles = Array.from({ length: STORIES }, (_, i) => `港口升级第${i}期`);
const stories = (body: (i: number) => string) =>
  titles.map((title, i) => article(title, `2024-12-${String(1 + (i % 28)).padStart(2, '0')}T0${i % 10}:00:00Z`, [FINANCE], { originId: title, contentHtml: `<p>${body(i)}</p>` }));

describe('the SQLite word index, written by a store run', () => {
  it("writes a run's words together, and an edit replaces them", async () => {
    const { store, file } = await openFileStore();
    await store.storeRun({ sourceKey: 'source:A', articles: stories((i) => `绿色金融 编号${i}`) });
    const rowids = rowidsOf(file, titles);
    expect(rowids).toHaveLength(STORIES);
    // Interleaved with the stories upsert, every story's words were flushed on their own (40 values here).
    expect(flushesHolding(file, rowids)).toBe(1);
    expect((await store.searchStories('绿色金融', 100)).total).toBe(STORIES);

    await store.storeRun({ sourceKey: 'source:A', articles: stories((i) => (i % 2 ? `蓝色经济 编号${i}` : `绿色金融 编号${i}`)) });
    expect((await store.searchStories('绿色金融', 100)).total).toBe(STORIES / 2);
    expect((await store.searchStories('蓝色经济', 100)).total).toBe(STORIES / 2);
    const edited = rowidsOf(file, titles.filter((_, i) => i % 2 === 1));
    expect(flushesHolding(file, edited)).toBe(1);
  });
});
