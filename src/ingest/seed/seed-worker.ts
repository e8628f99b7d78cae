// Worker entry of the seed pool (seed-workers.ts): parses, normalizes and cleans the files it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../../errors.js';
import { prepareSeedFiles, type SeedParseConfig, type SeedWorkerReply, type SeedWorkerRequest } from './seed-workers.js';

const { config } = workerData as { config: SeedParseConfig };
const port = parentPort;
if (!port) throw new Error('seed-worker.ts runs as a worker thread only');

port.on('message', ({ id, files }: SeedWorkerRequest) => {
  let reply: SeedWorkerReply;
  try {
    reply = { id, results: prepareSeedFiles(files, config) };
  } catch (error) {
    // prepareSeedFile catches per file; this is a defect in the worker itself, reported as such.
    reply = { id, error: describeError(error) };
  }
  port.postMessage(reply);
});
