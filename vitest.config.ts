import { configDefaults, defineConfig } from 'vitest/config';

// Tests that drive a browser, the feed readers (feedparser, newsboat), PostgreSQL or child processes.
// `npm test` runs everything; `npm run test:fast` (project "fast") leaves these out for the inner loop.
const slow = [
  'test/interop/**',
  'test/e2e/**',
  'test/ops/**',
  'test/process/**',
  'test/**/postgres/**',
  'test/**/*postgres*.test.ts',
  'test/publish/feed-guids.test.ts',
  'test/publish/render-cache.test.ts',
  'test/publish/render-feed.test.ts',
  'test/publish/validity.test.ts',
  'test/server/create-app.test.ts',
  'test/server/history-search.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/support/fast-check-seed.ts'],
    // The run's own temporary folder, removed at the end (first: everything else puts its files in it); one
    // throwaway PostgreSQL cluster per run for the store suite's second backend; and the mark of the run's one
    // build of dist/ removed at the end (test/support/build-once.ts).
    globalSetup: ['test/support/temp-root.ts', 'test/support/postgres-global-setup.ts', 'test/support/build-once.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...slow] } },
      { extends: true, test: { name: 'slow', include: slow.map((glob) => (glob.endsWith('**') ? `${glob}/*.test.ts` : glob)) } },
    ],
  },
});
