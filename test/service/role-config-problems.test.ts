// An invalid config file edited under a split-role process (web or worker) is reported where the user looks:
// aggregator_config_last_reload_successful 0 on its /metrics, and 1 again once a valid file is read.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { startWebService, startWorkerService } from '../../src/service/start-roles.js';
import { capturingLogger, tempDir, writeConfig } from '../ops/harness.js';

describe.each([['web', startWebService], ['worker', startWorkerService]] as const)('role %s with an invalid config file', (_role, start) => {
  it('says so on /metrics until the file is valid again', async () => {
    const dir = await tempDir('role-config');
    const configFile = path.join(dir, 'aggregator.yaml');
    const valid = { server: { host: '127.0.0.1', port: 0 }, storage: { database: path.join(dir, 'aggregator.db') }, sources: [] };
    await writeConfig(configFile, valid);
    const config = parseConfig(await readFile(configFile, 'utf8'), configFile);
    const service = await start(config, capturingLogger().logger, { configFile, env: {}, watchDebounceMs: 10_000 });
    try {
      const address = service.server.address();
      const metrics = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`;
      const reloadSuccessful = async () => (await (await fetch(metrics)).text()).match(/^aggregator_config_last_reload_successful (\d)$/m)?.[1];
      expect(await reloadSuccessful()).toBe('1');
      await writeFile(configFile, 'schedule: every minute\n');
      expect((await service.reloadConfig('SIGHUP')).status).toBe('invalid');
      expect(await reloadSuccessful()).toBe('0');
      await writeConfig(configFile, { ...valid, schedule: '*/7 * * * *' });
      expect((await service.reloadConfig('SIGHUP')).status).toBe('applied');
      expect(await reloadSuccessful()).toBe('1');
    } finally {
      await service.stop();
    }
  });
});
