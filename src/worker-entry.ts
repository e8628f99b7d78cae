// Where a worker thread's entry module is: the built .js next to the caller under dist/; under tsx or
// vitest the .ts source, loaded through tsx's API (Node 20 does not apply `--import tsx` hooks inside
// worker threads). Shared by the seed parsing pool and the SQLite search thread.

/** `new Worker(entry.source, { eval: entry.eval })` for the module `name` (no extension) next to `callerUrl`. */
export function workerEntry(callerUrl: string, name: string): { source: URL | string; eval: boolean } {
  if (!callerUrl.endsWith('.ts')) return { source: new URL(`./${name}.js`, callerUrl), eval: false };
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const api = import.meta.resolve('tsx/esm/api');
  const script = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return { source: script, eval: true };
}
