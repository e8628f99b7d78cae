import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { workerCount } from '../../src/main.js';
import { parseServiceArgs, UsageError } from '../../src/service/service-args.js';

describe('the service command line', () => {
  it('takes --port over PORT over server.port, and the config from --config or AGGREGATOR_CONFIG', () => {
    expect(parseServiceArgs(['--config', 'a.yaml', '--port', '8081'], { PORT: '9000' })).toEqual({ configFile: 'a.yaml', port: 8081 });
    expect(parseServiceArgs(['--port=0'], { PORT: '9000', AGGREGATOR_CONFIG: 'b.yaml' })).toEqual({ configFile: 'b.yaml', port: 0 });
    expect(parseServiceArgs([], { PORT: '9000' }).port).toBe(9000);
    expect(parseServiceArgs([], {}).port).toBeUndefined();
  });

  it('names the bad input', () => {
    expect(() => parseServiceArgs(['--port', '80a'], {})).toThrow('--port: invalid port "80a"');
    expect(() => parseServiceArgs([], { PORT: '70000' })).toThrow('PORT: invalid port "70000"');
    expect(() => parseServiceArgs(['--prot', '1'], {})).toThrow(/--prot/);
  });

  it('reads server.workers as a number of processes, auto as one per core', () => {
    expect(workerCount(parseConfig('server: { workers: 3 }\nsources: []\n', 'x.yaml').server.workers)).toBe(3);
    expect(workerCount(parseConfig('server: { workers: auto }\nsources: []\n', 'x.yaml').server.workers)).toBeGreaterThanOrEqual(1);
    expect(() => parseConfig('server: { workers: 0 }\nsources: []\n', 'x.yaml')).toThrow(/server\.workers/);
  });

  it('reads --role, leaving the config to decide when it is absent', () => {
    expect(parseServiceArgs(['--role', 'worker', '--port', '8081'], {})).toMatchObject({ role: 'worker', port: 8081 });
    expect(parseServiceArgs(['--role', 'web'], {}).role).toBe('web');
    expect(parseServiceArgs([], {}).role).toBeUndefined();
  });

  it('refuses an unknown role, naming it and the usage', () => {
    expect(() => parseServiceArgs(['--role', 'reader'], {})).toThrow(UsageError);
    expect(() => parseServiceArgs(['--role', 'reader'], {})).toThrow(/--role: invalid role "reader"[\s\S]*--role all\|web\|worker/);
  });
});
