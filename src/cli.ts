#!/usr/bin/env node
// Command-line entry: `ingest`, `inspect`, `check-config`, `import-opml`, `backup`, `migrate`, `copy-store` (the service itself starts from main.ts).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { configSchema, type Config } from './config/schema.js';
import { slugJoinNotes } from './config/category-conflicts.js';
import { loadConfig, resolveConfigPath } from './config/load-config.js';
import { ConfigError, describeError } from './errors.js';
import { createCategoryResolver } from './ingest/categories.js';
import { inspectInputs } from './ingest/inspect-input.js';
import { importOpml as importOpmlFile } from './import-opml-command.js';
import { completeSearchRebuild } from './ingest/rebuild-search-index.js';
import { createLogger } from './logger.js';
import { feedPolicyFromConfig } from './publish/feed-policy.js';
import { createIngestJobs, fetchOptionsOf, openStore } from './ingest-jobs.js';
import type { FeedRunSummary } from './ingest/run-feed-source.js';
import type { SeedRunSummary } from './ingest/run-seed-folder.js';
import { createLimiter } from './scheduler/limiter.js';
import { createScheduler } from './scheduler/scheduler.js';
import { hubAnnouncer } from './service/start-ingest.js';
import { backup as backupDatabase, copyStore as copySqliteStore, migrate as migrateDatabase } from './store-commands.js';

const EXIT_INVALID_CONFIG = 2;
const EXIT_FAILURE = 1;

async function readConfigOrExit(argv: string[]): Promise<Config> {
  const file = resolveConfigPath(argv);
  try {
    return await loadConfig(file);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : describeError(error));
    process.exit(EXIT_INVALID_CONFIG);
  }
}

async function checkConfig(argv: string[]): Promise<void> {
  const config = await readConfigOrExit(argv);
  // What the service checks when it starts beyond the file's schema: saved-query categories the search would refuse.
  try {
    feedPolicyFromConfig(config, createCategoryResolver(config.categories));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${resolveConfigPath(argv)}: ${error.message}`);
    process.exit(EXIT_INVALID_CONFIG);
  }
  for (const note of slugJoinNotes(config)) console.log(`${resolveConfigPath(argv)}: note: ${note}`);
  console.log(`${resolveConfigPath(argv)}: valid (${config.sources.length} sources${config.seedFolder ? `, seed folder ${config.seedFolder.path}` : ''})`);
}

async function ingest(argv: string[]): Promise<void> {
  const config = await readConfigOrExit(argv);
  const logger = createLogger(config.log.level);
  let store;
  try {
    store = await openStore(config, undefined, { log: logger });
  } catch (error) {
    console.error(describeError(error));
    process.exit(EXIT_FAILURE);
  }
  // Stories stored before the word index existed are indexed first, so this run's searches see them.
  await completeSearchRebuild(store, logger);
  const progress = process.stderr.isTTY ? showProgress : undefined;
  const jobs = createIngestJobs(config, store, logger, { onSeedProgress: progress });
  const sources: FeedRunSummary[] = [];
  let seed: SeedRunSummary | null = null;
  // The scheduler's one-pass mode, so a one-shot ingest keeps the same concurrency and per-host limits.
  const scheduler = createScheduler({
    config, store, logger, clock: () => new Date(),
    limiter: createLimiter(config.fetch.concurrency, config.fetch.perHost),
    jobs: {
      runSource: async (source) => {
        const summary = await jobs.runSource(source);
        sources.push(summary);
        return summary;
      },
      runSeedFolder: async () => (seed = await jobs.runSeedFolder()),
      prune: jobs.prune,
    },
  });
  try {
    const before = await store.latestChangeSeq();
    await scheduler.runAll();
    // WebSub: this run's changes are announced once they have settled (every serving process has followed them),
    // unless a running service claimed them first; either way exactly once (publish/announce-changes.ts).
    const announcer = hubAnnouncer(config, store, logger, false);
    if (announcer && (await store.latestChangeSeq()) > before) {
      await announcer.flush(new Date());
      await announcer.stop();
    }
  } finally {
    await store.close();
  }
  if (progress) process.stderr.write('\n');
  if (seed) printSeedSummary(seed);
  const failed = sources.filter((summary) => !summary.ok);
  console.log(`sources: ${sources.length - failed.length} ok, ${failed.length} failed${failed.length ? ' (details in the log and on the index page)' : ''}`);
  for (const summary of failed) console.log(`  ${summary.source}: ${summary.error}`);
}

function showProgress(stage: 'scan' | 'store', done: number, total: number): void {
  process.stderr.write(`\r${stage === 'scan' ? 'scanning' : 'importing'} seed files: ${done}/${total}   `);
}

function printSeedSummary(seed: SeedRunSummary): void {
  console.log(`seed folder ${seed.folder}: ${seed.filesSeen} files seen, ${seed.filesRead} read, ${seed.unchanged} unchanged, ${seed.skipped} skipped (not articles)`);
  console.log(`  articles: ${seed.added} added, ${seed.merged} merged into existing stories, ${seed.updated} updated`);
  if (seed.error) console.log(`  error: ${seed.error}`);
  if (seed.rejected.length > 0) {
    console.log(`  rejected: ${seed.rejected.length} files`);
    for (const { relPath, error } of seed.rejected.slice(0, 20)) console.log(`    ${relPath}: ${error}`);
    if (seed.rejected.length > 20) console.log(`    … and ${seed.rejected.length - 20} more (see the log)`);
  }
  if (seed.stillRejected.length > 0) console.log(`  still rejected (unchanged since): ${seed.stillRejected.length} files, first ${seed.stillRejected[0]!.relPath}: ${seed.stillRejected[0]!.error}`);
  for (const { relPath, target } of seed.skippedSymlinks.slice(0, 20)) console.log(`  symlink skipped: ${relPath} -> ${target}`);
  if (seed.recovered.length > 0) {
    console.log(`  ${seed.recovered.length} file${seed.recovered.length === 1 ? '' : 's'} recovered (broken front matter read line by line, or an unreadable date replaced by the file's time; ingested):`);
    for (const { relPath, warning } of seed.recovered.slice(0, 20)) console.log(`    ${relPath}: ${warning}`);
    if (seed.recovered.length > 20) console.log(`    … and ${seed.recovered.length - 20} more (see the log)`);
  }
}

const FEED_FILE = /\.(xml|rss|atom|rdf|json|feed)$/i;
const SEED_FILE = /\.(md|markdown|txt|html?)$/i;

/** Files and URLs named on the command line, folders expanded to the feed and seed files inside. */
async function expandInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (/^https?:\/\//i.test(input)) out.push(input);
    else if ((await stat(input).catch(() => null))?.isDirectory()) {
      const entries = await readdir(input, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (entry.isFile() && (FEED_FILE.test(entry.name) || SEED_FILE.test(entry.name))) out.push(path.join(entry.parentPath, entry.name));
      }
    } else out.push(input);
  }
  return out.sort();
}

async function inspect(argv: string[]): Promise<void> {
  const inputs = argv.filter((arg, index) => !arg.startsWith('--') && argv[index - 1] !== '--config');
  if (inputs.length === 0) {
    console.error('usage: npm run inspect -- [--config FILE] [--allow-private] INPUT… (feed URLs, feed files, seed files or folders)');
    process.exit(EXIT_FAILURE);
  }
  const explicit = argv.includes('--config') || argv.some((arg) => arg.startsWith('--config=')) || process.env.AGGREGATOR_CONFIG;
  const config = explicit ? await readConfigOrExit(argv) : await loadConfig(resolveConfigPath(argv)).catch(() => configSchema.parse({ sources: [] }));
  // All inputs first: `mergedWith` needs every article, clustered with dedup.window.
  // URLs go through the network guard, as a public source's would, unless --allow-private.
  const fetchOptions = { ...fetchOptionsOf(config), allowPrivateNetworks: argv.includes('--allow-private') };
  const entries = await inspectInputs(await expandInputs(inputs), config, fetchOptions);
  process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
}

async function backup(argv: string[]): Promise<void> {
  const targets = argv.filter((arg, index) => !arg.startsWith('--') && argv[index - 1] !== '--config');
  if (targets.length !== 1) {
    console.error('usage: npm run backup -- [--config FILE] BACKUP_FILE');
    process.exit(EXIT_FAILURE);
  }
  await backupDatabase(path.resolve(targets[0]!), await readConfigOrExit(argv));
}

async function migrate(argv: string[]): Promise<void> {
  await migrateDatabase(await readConfigOrExit(argv));
}

async function copyStore(argv: string[]): Promise<void> {
  // The config is optional here: --to may name the database instead.
  const explicit = argv.includes('--config') || argv.some((arg) => arg.startsWith('--config='));
  await copySqliteStore(argv, explicit ? await readConfigOrExit(argv) : null);
}

async function importOpml(argv: string[]): Promise<void> {
  const { exitCode } = await importOpmlFile(argv);
  if (exitCode !== 0) process.exit(exitCode);
}

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  ingest, inspect, 'check-config': checkConfig, 'import-opml': importOpml, backup, migrate, 'copy-store': copyStore,
};

const [command, ...rest] = process.argv.slice(2);
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(`usage: cli <${Object.keys(commands).join('|')}> [--config FILE] …`);
  process.exit(EXIT_FAILURE);
}
run(rest).catch((error) => {
  console.error(describeError(error));
  process.exit(EXIT_FAILURE);
});
