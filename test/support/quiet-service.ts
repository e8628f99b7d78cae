// The whole service started in-process for an end-to-end test: logs silenced, its first ingest done.
import { pino } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { startService, type RunningService } from '../../src/main.js';

/** Starts the service on `config` (port 0), waits for its first ingest; `base` is its http://127.0.0.1:port. */
export async function startQuietService(config: Config): Promise<{ service: RunningService; base: string }> {
  const service = await startService(config, pino({ level: 'silent' }));
  await service.firstIngest;
  const address = service.server.address();
  return { service, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}
