// `import-opml FILE [--config CONFIG] [--dry-run]`: adds an OPML's feeds to the config as sources, prints
// what it added and skipped, validates the result as `check-config` does, and writes it only when valid.
// With --dry-run the YAML it would write goes to stdout (the report to stderr) and nothing is written.
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addOpmlSources, type OpmlImport } from './config/add-opml-sources.js';
import { parseConfig, resolveConfigPath } from './config/load-config.js';
import { readOpml } from './config/read-opml.js';
import { ConfigError } from './errors.js';

export const IMPORT_OPML_USAGE = 'usage: npm run import-opml -- OPML_FILE [--config CONFIG] [--dry-run]';

export interface ImportOpmlOutcome {
  /** 0 written (or nothing to add, or dry run), 1 unreadable input, 2 the result would not validate. */
  exitCode: number;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function report(result: OpmlImport, opmlFile: string, print: (line: string) => void): void {
  print(`${opmlFile}: ${result.added.length} source${result.added.length === 1 ? '' : 's'} to add, ${result.skipped.length} skipped`);
  for (const source of result.added) {
    print(`  added    ${source.name} <${source.url}>${source.categories.length ? ` categories: ${source.categories.join(', ')}` : ''}`);
  }
  for (const feed of result.skipped) print(`  skipped  ${feed.title || '(untitled)'} <${feed.url}>: ${feed.reason}`);
}

export async function importOpml(argv: string[]): Promise<ImportOpmlOutcome> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { config: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new Error(IMPORT_OPML_USAGE);
  const opmlFile = positionals[0]!;
  const configFile = resolveConfigPath(values.config ? ['--config', values.config] : []);
  const dryRun = values['dry-run'];
  const feeds = await readOpml(await readText(opmlFile, 'OPML file'), opmlFile);
  const configText = await readText(configFile, 'config');
  const result = addOpmlSources(configText, feeds, path.basename(opmlFile));
  // The report goes to stderr on a dry run, so stdout is exactly the YAML (`> new.yaml` works).
  const print = dryRun ? (line: string) => console.error(line) : (line: string) => console.log(line);
  report(result, opmlFile, print);
  try {
    parseConfig(result.text, configFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${configFile}: not written: with these sources the config would not validate:\n  ${error.problems.join('\n  ')}`);
    return { exitCode: 2 };
  }
  if (dryRun) {
    process.stdout.write(result.text);
    return { exitCode: 0 };
  }
  if (result.added.length === 0) {
    print(`${configFile}: nothing to add; unchanged`);
    return { exitCode: 0 };
  }
  // Written beside and renamed over: a running service watching the file never reads half of it.
  const temporary = path.join(path.dirname(configFile), `.${path.basename(configFile)}.${process.pid}.tmp`);
  await writeFile(temporary, result.text, { mode: (await stat(configFile)).mode & 0o777 });
  await rename(temporary, configFile);
  print(`${configFile}: written (${result.added.length} source${result.added.length === 1 ? '' : 's'} added; valid)`);
  return { exitCode: 0 };
}
