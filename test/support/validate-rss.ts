// Validates an RSS 2.0 document against the XML Schema in test/schemas/rss-2.0.xsd.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RSS_SCHEMA_PATH = path.resolve(repoRoot, 'test/schemas/rss-2.0.xsd');

let schema: Promise<string> | undefined;

/** Resolves to the list of validation errors; empty when the document is valid. */
export async function validateRss(xml: string): Promise<string[]> {
  schema ??= readFile(RSS_SCHEMA_PATH, 'utf8');
  const result = await validateXML({
    xml: [{ fileName: 'feed.rss', contents: xml }],
    schema: [{ fileName: 'rss-2.0.xsd', contents: await schema }],
  });
  if (result.valid) return [];
  return result.errors.length > 0 ? result.errors.map((e) => e.rawMessage) : [result.rawOutput || 'invalid'];
}
