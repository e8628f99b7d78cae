// The base URL feeds link to, and WebSub pings name: the config's, unless `--port`/PORT moved the default one.
import type { Config } from '../config/schema.js';

/**
 * The base URL feeds link to. Run on another port (`--port`, PORT) with the default `http://localhost:<server.port>`,
 * the links follow the port it runs on: nothing answers at the config's port then.
 */
export function servedBaseUrl(server: Pick<Config['server'], 'baseUrl' | 'port'>, port: number | undefined): string {
  const atConfigPort = new RegExp(`^http://localhost:${server.port}/?$`);
  return port !== undefined && port > 0 && port !== server.port && atConfigPort.test(server.baseUrl) ? `http://localhost:${port}` : server.baseUrl;
}

/** The config with the base URL feeds link to: what the ingest side names as WebSub topics. */
export const withServedBaseUrl = (config: Config, port: number | undefined): Config =>
  ({ ...config, server: { ...config.server, baseUrl: servedBaseUrl(config.server, port) } });
