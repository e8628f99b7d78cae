// The config file's shape. `Config` is inferred from this schema; never write it by hand.
import { z } from 'zod';
import { validate as isValidCron } from 'node-cron';
import { siteRuleProblems } from './site-rule-grammar.js';
import { filterRuleProblems } from './filter-rules.js';
import { fullTextSchema } from './full-text-schema.js';
import { categoryConflicts } from './category-conflicts.js';

const cron = z.string().refine((expr) => isValidCron(expr), { message: 'Invalid cron expression' });

const durationPattern = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `12h`, `90m`, `30s`, `1.5d` → milliseconds. */
export const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number' && value >= 0) return value;
  const match = durationPattern.exec(String(value).trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `Invalid duration "${value}" (use e.g. 30s, 15m, 12h, 2d)` });
    return z.NEVER;
  }
  return Number(match[1]) * unitMs[match[2]!]!;
});

const httpUrl = z.url({ protocol: /^https?$/, message: 'Invalid URL' });

/** Every published link is baseUrl + a path, so a query, fragment or user info in it would break them all. */
const publicBaseUrl = httpUrl.refine((value) => {
  const url = URL.parse(value);
  return url === null || (!/[?#]/.test(value) && url.username === '' && url.password === '');
}, { message: 'A base URL takes no query (?…), fragment (#…) or user info: every feed link is this URL + a path' });

/** An IANA zone Intl knows (`Asia/Shanghai`); a misspelt one would read every zone-less date as UTC. */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, { message: 'Unknown time zone (an IANA name such as UTC, Europe/Berlin or Asia/Shanghai)' });

/** Boilerplate removal applied before the sanitizer. */
export const siteRulesSchema = z.strictObject({
  /** CSS selectors whose elements are removed. */
  remove: z.array(z.string().min(1)).default([]),
  /** Regular expressions: a block element whose whole text matches is dropped. */
  dropText: z.array(z.string().min(1)).default([]),
  /** Attribute names stripped from every element. */
  stripAttributes: z.array(z.string().min(1)).default([]),
  /** Use the built-in rules for known boilerplate. */
  builtin: z.boolean().default(true),
}).superRefine((rules, ctx) => {
  // Reported at load time with their place (`sources[2].rules.remove[0]`), not skipped silently at ingest.
  for (const problem of siteRuleProblems(rules)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});

const categoryName = z.string().trim().min(1);

/** `filter:` on a source or a category (config/filter-rules.ts; README "Filters"). */
export const filterSchema = z.strictObject({
  block: z.array(z.string().min(1)).default([]),
  keep: z.array(z.string().min(1)).min(1, 'An empty keep list would drop everything; omit keep to keep all').optional(),
}).superRefine((filter, ctx) => {
  for (const problem of filterRuleProblems(filter)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});

export const ADMIN_TOKEN_MIN_CHARS = 16;
/** The admin token, from the file or AGGREGATOR_ADMIN_TOKEN alike. */
export const adminToken = z.string().min(ADMIN_TOKEN_MIN_CHARS, `Admin token too short (at least ${ADMIN_TOKEN_MIN_CHARS} characters)`);

/** The seed folder's name in source states, logs and metrics; no configured source may take it. */
export const SEED_FOLDER_NAME = 'seed folder';

const sourceSchema = z.strictObject({
  name: z.string().trim().min(1),
  url: httpUrl,
  categories: z.array(categoryName).default([]),
  schedule: cron.optional(),
  /** Override the detected character encoding. */
  encoding: z.string().optional(),
  rules: siteRulesSchema.optional(),
  filter: filterSchema.optional(),
  allowPrivateNetworks: z.boolean().optional(),
  /** Publish each item's page (its article) instead of the feed's summary (full-text-schema.ts). */
  fullText: fullTextSchema.optional(),
  enabled: z.boolean().default(true),
});

/** A SQLite file path, or a postgres:// / postgresql:// URL; any other scheme is a mistake, not a file name. */
const databaseLocation = z
  .string()
  .min(1)
  .refine((value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^postgres(ql)?:\/\//i.test(value), {
    message: 'expected a SQLite file path or a postgres:// (postgresql://) URL',
  });

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Default: `http://localhost:<port>`, where this process answers (see the transform below). */
        baseUrl: publicBaseUrl.optional(),
        /** Source URLs, states and errors on `/` and `/api/sources` for anyone (false: admin token only). */
        publicStatus: z.boolean().default(true),
        maxConnections: z.number().int().min(1).default(1024),
        /**
         * Which proxies' X-Forwarded-For to believe for the client address (per-client limits, logs): false (none),
         * true, a hop count, or addresses/`loopback` (express's `trust proxy`). Behind nginx on this machine: loopback.
         */
        trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string().min(1)]).default(false),
        /** Serving processes (node:cluster workers sharing the port); `auto`: one per core. 1: a single process. */
        workers: z.union([z.number().int().min(1).max(64), z.literal('auto')]).default(1),
        /** Connection limits (server/connection-limits.ts says why these values). */
        timeouts: z
          .strictObject({
            headers: duration.default(10_000),
            request: duration.default(30_000),
            keepAlive: duration.default(5_000),
            idle: duration.default(60_000),
          })
          .prefault({}),
        /** What this process does (`--role` overrides): all, web (serve only) or worker (ingest only); README "Scaling out". */
        role: z.enum(['all', 'web', 'worker']).default('all'),
      })
      // A port set without a base URL: feeds link to that port, not to 8080 where nothing answers.
      .transform((server) => ({ ...server, baseUrl: server.baseUrl ?? `http://localhost:${server.port}` }))
      .prefault({}),
    storage: z.strictObject({
      database: databaseLocation.default('storage/aggregator.db'),
      /** SQLite: searches run in a worker thread with its own read-only connection, off the serving event loop. */
      searchThread: z.boolean().default(true),
    }).prefault({}),
    seedFolder: z
      .strictObject({
        path: z.string().min(1).default('storage/seed'),
        schedule: cron.default('*/5 * * * *'),
        categories: z.array(categoryName).default([]),
        timezone: timeZone.default('UTC'),
        /**
         * Worker threads parsing a large import (`auto`: one per core). Default 0, the main thread does it all: a
         * worker holds its own jieba dictionary and heap, ~100 MB of RSS, over the import's 250 MB budget.
         */
        workers: z.union([z.number().int().min(0).max(16), z.literal('auto')]).default(0),
        rules: siteRulesSchema.optional(),
        /**
         * Larger files are rejected by name, not read, until they change. At most 2 MiB: Markdown costs ~110×
         * its size to render and clean (2 MiB: 233 MB peak RSS under the ingest script's flags; 4 MiB: 342 MB;
         * an 8 MiB file exhausts the 192 MB heap, exit 134). HTML costs less (8 MiB: 312 MB).
         */
        maxFileBytes: z.number().int().positive().max(2 * 1024 * 1024, 'At most 2097152 (2 MiB): a larger Markdown file exhausts the 192 MB heap').default(2 * 1024 * 1024),
        /** Follow symlinks whose real path is inside the folder (default: skip every symlink, with a warning). */
        followSymlinks: z.boolean().default(false),
      })
      .optional(),
    schedule: cron.default('*/15 * * * *'),
    dedup: z.strictObject({ window: duration.default(12 * 3_600_000) }).prefault({}),
    /** Pruning of old stories (off unless set); pruned stories leave tombstones so sources cannot revive them. */
    retention: z
      .strictObject({
        maxAgeDays: z.number().positive().optional(),
        maxItemsPerCategory: z.number().int().positive().optional(),
      })
      .optional(),
    feeds: z
      .strictObject({
        title: z.string().default('Feed aggregator'),
        items: z.number().int().min(1).max(1000).default(50),
        /** Cache-Control max-age of feeds; default: the category's polling interval, at most 1h. */
        maxAge: duration.optional(),
      })
      .prefault({}),
    fetch: z
      .strictObject({
        timeout: duration.default(30_000),
        connectTimeout: duration.default(10_000),
        /** Ceilings on how far a source can push its next poll away. */
        backoffCap: duration.default(6 * 3_600_000),
        retryAfterCap: duration.default(24 * 3_600_000),
        maxAgeCap: duration.default(24 * 3_600_000),
        ttlCap: duration.default(24 * 3_600_000),
        maxBytes: z.number().int().positive().default(10 * 1024 * 1024),
        userAgent: z.string().optional(),
        concurrency: z.number().int().min(1).default(8),
        perHost: z.number().int().min(1).default(2),
        /** A run's lease lives `timeout` + this; a dead worker's runs are taken over after it (README "Scaling out"). */
        leaseMargin: duration.default(30_000),
      })
      .prefault({}),
    categories: z
      .array(
        z.strictObject({
          name: categoryName,
          slug: z
            .string()
            .regex(/^[\p{L}\p{N}][\p{L}\p{N}-]*$/u, 'Invalid slug (letters, digits and -)')
            .optional(),
          aliases: z.array(categoryName).default([]),
          /** A saved search: the category publishes the stories matching this query. */
          query: z.string().trim().min(1).optional(),
          /** What this category publishes of its stories (`all` stays unfiltered). */
          filter: filterSchema.optional(),
        }),
      )
      .default([]),
    sources: z.array(sourceSchema),
    /** Image URLs never used (lead image or body), beside the built-in random-photo services: hosts or host/path prefixes. */
    images: z.strictObject({ placeholders: z.array(z.string().trim().min(1)).default([]) }).prefault({}),
    /** Query parameters stripped from item and body links, beside the built-in tracking ones (`name*`: a prefix). */
    links: z.strictObject({ trackingParameters: z.array(z.string().trim().min(1)).default([]) }).prefault({}),
    /** WebSub: feeds name this hub (rel="hub") and ingest runs that change a category ping it. */
    websub: z.strictObject({ hub: httpUrl }).optional(),
    /** Admin routes (POST /admin/refresh) need this bearer token; env AGGREGATOR_ADMIN_TOKEN overrides it. */
    admin: z.strictObject({ token: adminToken.optional() }).prefault({}),
    /** `/metrics` answers only with the admin token when set. */
    metrics: z.strictObject({ requireToken: z.boolean().default(false) }).prefault({}),
    log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.sources.forEach((source, index) => {
      if (source.name === SEED_FOLDER_NAME) {
        ctx.addIssue({ code: 'custom', path: ['sources', index, 'name'], message: `"${SEED_FOLDER_NAME}" names the seed folder; choose another name` });
      }
      if (seen.has(source.name)) {
        ctx.addIssue({ code: 'custom', path: ['sources', index, 'name'], message: `Duplicate source name "${source.name}"` });
      }
      seen.add(source.name);
    });
    for (const problem of categoryConflicts(config.categories)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = Config['sources'][number];
export type SiteRules = z.infer<typeof siteRulesSchema>;
export type FilterSettings = z.infer<typeof filterSchema>;
export type SeedFolderConfig = NonNullable<Config['seedFolder']>;

/** The configured additions to the built-in tracking parameters and placeholder images (ingest's `UrlRules`). */
export function urlRulesOf(config: Pick<Config, 'images' | 'links'>): { trackingParameters: string[]; placeholderImages: string[] } {
  // Configs built by hand (tests, tools) may lack the sections the schema defaults.
  return { trackingParameters: config.links?.trackingParameters ?? [], placeholderImages: config.images?.placeholders ?? [] };
}
