// The config file's lifecycle while the service runs: re-read when it changes (fs.watch, debounced) or
// on demand (SIGHUP), validated before anything sees it. An invalid file is reported with every error
// and the running config stays. What a change means for the running service is `planConfigChange`'s
// job (pure); applying it is the composition root's.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, describeError } from '../errors.js';
import { parseConfig } from './load-config.js';
import type { Config } from './schema.js';

/** Top-level keys the running service applies without a restart. Every other key (server, storage, dedup,
 * feeds, categories, websub and keys added later) needs a restart: the server socket, the database, the dedup
 * policy and the render cache are built from them once. */
const LIVE_KEYS = new Set<string>(['sources', 'schedule', 'seedFolder', 'fetch', 'log', 'admin']);

export interface ConfigChangePlan {
  /** Live keys whose value changed. */
  live: string[];
  /** Changed keys that take effect only after a restart. */
  needRestart: string[];
}

/** Which top-level keys differ between two configs, split into applied-live and needs-restart. */
export function planConfigChange(running: Config, next: Config): ConfigChangePlan {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)]);
  const plan: ConfigChangePlan = { live: [], needRestart: [] };
  for (const key of [...keys].sort()) {
    const before = JSON.stringify((running as Record<string, unknown>)[key]);
    const after = JSON.stringify((next as Record<string, unknown>)[key]);
    if (before === after) continue;
    (LIVE_KEYS.has(key) || onlyFiltersDiffer(key, running, next) ? plan.live : plan.needRestart).push(key);
  }
  return plan;
}

/** Category filters apply live (the render cache takes them); any other change to `categories` needs a restart. */
function onlyFiltersDiffer(key: string, running: Config, next: Config): boolean {
  if (key !== 'categories') return false;
  const withoutFilters = (config: Config) => JSON.stringify((config.categories ?? []).map(({ filter: _filter, ...rest }) => rest));
  return withoutFilters(running) === withoutFilters(next);
}

export type ReloadOutcome =
  | { status: 'applied'; config: Config }
  | { status: 'unchanged' }
  | { status: 'invalid'; problems: string[] };

export interface ConfigWatcherOptions {
  /** Receives each new valid config; reloads wait for it, so applications never overlap. */
  onConfig: (config: Config, reason: string) => void | Promise<void>;
  /** Receives every problem of an invalid file (`file:line:col path: message`). */
  onInvalid: (problems: string[], reason: string) => void;
  /** Quiet time after the last change event before reading. Default 200 ms: editors write in several steps. */
  debounceMs?: number;
  /** The text the running config was read from, so a save without changes is not a reload. */
  initialText?: string;
}

/** The config file on disk is invalid: the service keeps running with the last valid one (service/reload-config.ts). */
export interface ConfigProblems {
  file: string;
  /** When the invalid file was read (ISO 8601). */
  since: string;
  errors: string[];
}

export interface ConfigWatcher {
  /** Re-reads the file now (SIGHUP, admin); resolves when the outcome is known and applied. */
  reload(reason: string): Promise<ReloadOutcome>;
  close(): void;
}

/**
 * Watches `file`. The folder is watched rather than the file: editors and deploy tools replace the file
 * (write a temp file, rename), which ends a watch on the old inode.
 */
export function watchConfig(file: string, options: ConfigWatcherOptions): ConfigWatcher {
  const debounceMs = options.debounceMs ?? 200;
  const name = path.basename(file);
  let lastText = options.initialText;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  const readAndApply = async (reason: string): Promise<ReloadOutcome> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const problems = [`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`];
      // Mid-rename the file may be briefly missing; the next event reads it again, and applies it even when it
      // comes back as it was (that clears the problem reported here).
      lastText = undefined;
      options.onInvalid(problems, reason);
      return { status: 'invalid', problems };
    }
    if (text === lastText) return { status: 'unchanged' };
    let config: Config;
    try {
      config = parseConfig(text, file);
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [describeError(error)];
      // Remember the text: the same broken file is reported once, not on every touch.
      lastText = text;
      options.onInvalid(problems, reason);
      return { status: 'invalid', problems };
    }
    await options.onConfig(config, reason);
    // Only once applied: a failed apply is tried again on the next change or SIGHUP.
    lastText = text;
    return { status: 'applied', config };
  };

  // Reloads run one after another: a slow apply never interleaves with the next read.
  const reload = (reason: string): Promise<ReloadOutcome> => {
    const next = chain.then(() => readAndApply(reason));
    chain = next.catch(() => undefined);
    return next;
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, changed) => {
      if (closed || (changed !== null && changed.toString() !== name)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload('file changed').catch(() => undefined), debounceMs);
    });
    watcher.on('error', () => undefined);
  } catch {
    // No watch support (some network file systems): SIGHUP still reloads.
    watcher = undefined;
  }

  return {
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
