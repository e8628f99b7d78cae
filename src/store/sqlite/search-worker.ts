// Worker entry of the search thread (search-thread.ts): its own read-only connection to the database file,
// running one search at a time off the serving process's event loop. It gets the query planned (words
// segmented where the query arrived), so it never loads jieba's dictionary. Each search is its own read
// transaction, so it sees every commit made before it started (WAL: readers never wait for the writer).
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { QueryError, describeError } from '../../errors.js';
import { createCategoriesTable } from './categories-table.js';
import { createSearchQuery, rejectingBadQuery, type SearchPlan } from './search-query.js';
import { SEARCH_THREAD_READY, type SearchReply, type SearchRequest, type SearchWorkerData } from './search-thread.js';
import type { SearchPage } from '../store.js';

const port = parentPort;
if (!port) throw new Error('search-worker.ts runs as a worker thread only');
const { file, busyTimeoutMs } = workerData as SearchWorkerData;

function open(): Database.Database {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    return db;
  } catch (error) {
    // A plain Error crosses to the main thread with its message (a SqliteError arrives as `{ code }`).
    throw new Error(`cannot open ${file} for searching: ${describeError(error)}`);
  }
}
const db = open();
// The main thread's clock (tests pin it): the recency boost counts from the time each request carries.
let nowMs = 0;
const search = createSearchQuery(db, () => new Date(nowMs));
const categories = createCategoriesTable(db);
// One read transaction: the page, its count and the category names come from one snapshot.
const run = db.transaction((plan: SearchPlan, limit: number, page?: SearchPage) => search.run(plan, limit, categories.names(), page));

port.on('message', (request: SearchRequest) => {
  let reply: SearchReply;
  try {
    nowMs = request.nowMs;
    reply = { id: request.id, result: rejectingBadQuery(() => run(request.plan, request.limit, request.page)) };
  } catch (error) {
    reply = { id: request.id, error: { query: error instanceof QueryError, message: describeError(error) } };
  }
  port.postMessage(reply);
});
port.postMessage(SEARCH_THREAD_READY);
