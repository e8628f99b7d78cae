// The extraction thread's entry when running from the TypeScript sources (tests, bench): Node 20 applies no
// `--import tsx` hooks inside worker threads, so the .ts task module is loaded through tsx's API. Built, the pool
// loads dist/ingest/fulltext/extract-worker.js directly and this file is not used.
const { tsImport } = await import('tsx/esm/api');
const task = await tsImport('./extract-worker.ts', import.meta.url);
export default task.default;
