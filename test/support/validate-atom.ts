// Validates an Atom document against the RFC 4287 RELAX NG schema (test/schemas/atom.rng, from RFC 4287 Appendix B).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ATOM_SCHEMA_PATH = path.resolve(repoRoot, 'test/schemas/atom.rng');

let schema: Promise<string> | undefined;

/** Resolves to the list of validation errors; empty when the document is valid Atom 1.0. */
export async function validateAtom(xml: string): Promise<string[]> {
  schema ??= readFile(ATOM_SCHEMA_PATH, 'utf8');
  const result = await validateXML({
    xml: [{ fileName: 'feed.atom', contents: xml }],
    schema: [{ fileName: 'atom.rng', contents: await schema }],
    extension: 'relaxng',
  });
  if (result.valid) return [];
  return result.errors.length > 0 ? result.errors.map((e) => e.rawMessage) : [result.rawOutput || 'invalid'];
}
