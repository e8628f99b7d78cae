// WebSub publisher side: after an ingest run changed categories, tell the hub which feed URLs to
// fetch again (hub.mode=publish, the form PubSubHubbub hubs accept, one request for all URLs).
import { FEED_FORMATS, feedUrl } from './feed-urls.js';

export interface PingResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** Every feed URL of these categories, plus `all` and the saved searches (they change with anything). */
export function changedFeedUrls(baseUrl: string, changed: string[], savedQuerySlugs: Iterable<string> = []): string[] {
  if (changed.length === 0) return [];
  const slugs = new Set([...changed, 'all', ...savedQuerySlugs]);
  return [...slugs].flatMap((slug) => FEED_FORMATS.map((format) => feedUrl(baseUrl, slug, format)));
}

/** POSTs hub.mode=publish with every URL; never throws (a hub outage must not fail the ingest). */
export async function pingHub(hub: string, urls: string[], fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): Promise<PingResult> {
  if (urls.length === 0) return { ok: true, status: null, error: null };
  const body = new URLSearchParams([['hub.mode', 'publish'], ...urls.map((url): [string, string] => ['hub.url', url])]);
  try {
    const response = await fetchImpl(hub, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    // Hubs answer 204 No Content (WebSub §7), some 200/202.
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, error: ok ? null : `hub answered HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, status: null, error: error instanceof Error ? error.message : String(error) };
  }
}
