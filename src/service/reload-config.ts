// The config in effect while the service runs: re-read when the file changes or on SIGHUP (config/watch-config.ts),
// applying the keys that can change live through `applyLive` and keeping the running values of the others
// (with a warning naming them: they take effect after a restart).
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { planConfigChange, watchConfig, type ReloadOutcome } from '../config/watch-config.js';
import type { Logger } from '../logger.js';
import type { ConfigProblems } from '../config/watch-config.js';

export interface ConfigReloader {
  /** The config in effect (after reloads). */
  config(): Config;
  /** The file's errors while it is invalid (the running config is the last valid one), else null. */
  problems(): ConfigProblems | null;
  /** Re-reads the file (SIGHUP); rejects when there is no file. */
  reload(reason: string): Promise<ReloadOutcome>;
  close(): void;
}

export interface ReloaderOptions {
  configFile?: string | undefined;
  debounceMs?: number | undefined;
  env: NodeJS.ProcessEnv;
  /** Applies the live keys of `next`; returns what to log about it (e.g. the schedule changes). */
  applyLive: (next: Config) => Record<string, unknown>;
  /** Told when the file turns invalid or valid again (the cluster primary passes it on to its workers). */
  onProblems?: (problems: ConfigProblems | null) => void;
}

export async function reloadableConfig(initial: Config, logger: Logger, options: ReloaderOptions): Promise<ConfigReloader> {
  let running = initial;
  let invalidFile: ConfigProblems | null = null;
  const setProblems = (next: ConfigProblems | null): void => {
    invalidFile = next;
    options.onProblems?.(next);
  };
  const apply = (next: Config, reason: string): void => {
    if (invalidFile) setProblems(null);
    const plan = planConfigChange(running, next);
    if (plan.live.length === 0 && plan.needRestart.length === 0) {
      logger.info({ reason }, 'config reloaded: no changes');
      return;
    }
    const effective = { ...next } as Record<string, unknown>;
    for (const key of plan.needRestart) effective[key] = (running as Record<string, unknown>)[key];
    const nextConfig = effective as Config;
    const changes = options.applyLive(nextConfig);
    if (!options.env.LOG_LEVEL && nextConfig.log.level !== running.log.level) logger.level = nextConfig.log.level;
    running = nextConfig;
    logger.info({ reason, applied: plan.live, ...changes }, 'config reloaded');
    if (plan.needRestart.length > 0) {
      logger.warn({ keys: plan.needRestart }, `config changes to ${plan.needRestart.join(', ')} take effect after a restart; running with the old values`);
    }
  };
  const file = options.configFile;
  const watcher = file
    ? watchConfig(file, {
        debounceMs: options.debounceMs,
        initialText: await readFile(file, 'utf8').catch(() => undefined),
        onConfig: apply,
        onInvalid: (problems, reason) => {
          logger.error({ file, reason, errors: problems }, `config invalid (${problems.length} error${problems.length === 1 ? '' : 's'}); keeping the running config`);
          for (const problem of problems) logger.error({ file, error: problem }, 'config error');
          // Shown on the index page and as aggregator_config_last_reload_successful 0 until a valid file is read.
          setProblems({ file, since: new Date().toISOString(), errors: problems });
        },
      })
    : undefined;
  return {
    config: () => running,
    problems: () => invalidFile,
    reload(reason) {
      if (!watcher) return Promise.reject(new Error('started without a config file: nothing to reload'));
      return watcher.reload(reason);
    },
    close: () => watcher?.close(),
  };
}
