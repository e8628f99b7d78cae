// Reads the YAML config and validates it; every problem is reported at once as `file:line:col path: message`.
import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = 'config/aggregator.yaml';

/** The config path from `--config FILE`, else `AGGREGATOR_CONFIG`, else the default. */
export function resolveConfigPath(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const index = argv.indexOf('--config');
  if (index >= 0 && argv[index + 1]) return argv[index + 1]!;
  const inline = argv.find((arg) => arg.startsWith('--config='));
  if (inline) return inline.slice('--config='.length);
  return env.AGGREGATOR_CONFIG || DEFAULT_CONFIG_PATH;
}

export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  return parseConfig(text, file);
}

/** Parses config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => `${where(error.pos[0])} ${error.message.split('\n')[0]}`),
    );
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues
      .map((issue) => ({ offset: offsetOf(doc, issue), issue }))
      .sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0))
      .map(({ offset, issue }) => `${where(offset)} ${formatPath(issuePath(issue))}: ${describeIssue(issue)}`),
  );
}

/** Offset of the deepest node that exists along the issue's path (the parent of a missing key). */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number | undefined {
  const path = issuePath(issue);
  if (issue.code === 'unrecognized_keys') {
    const key = findKeyNode(doc, path);
    if (key !== undefined) return key;
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** The issue's path; for an unknown key, the path of that key. */
function issuePath(issue: z.core.$ZodIssue): (string | number)[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path;
}

/** For an unknown key, point at the key itself rather than its value. */
function findKeyNode(doc: Document, path: (string | number)[]): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!parent || typeof parent !== 'object' || !('items' in parent)) return undefined;
  for (const pair of (parent as { items: { key?: unknown }[] }).items) {
    const key = pair.key;
    if (isNode(key) && key.toJSON() === path[path.length - 1] && key.range) return key.range[0];
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'Required';
  return issue.message;
}

/** `sources[2].url` */
function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(root)';
}
