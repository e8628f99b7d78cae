// Source URLs as the public sees them: user info and query strings are credentials as often as not
// (`https://user:pass@host/feed`, `?token=…`), so they are cut from every URL we show, including the
// URLs quoted inside error messages. The full URL stays in the config, the store and the logs.
import type { SourceState } from '../types.js';

// A URL in prose ends before trailing punctuation (`…/feed.xml: HTTP 404`).
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]*[^\s"'<>:,.;)]/gi;

/** The URL without user info, query and fragment (`?…` marks a query that was there). */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return raw;
  const hadQuery = url.search !== '';
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return `${url.href}${hadQuery ? '?…' : ''}`;
}

/** Every http(s) URL inside a text, redacted. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

/** A source state fit for `/` and `/api/sources`: no credentials in its URL or its error. */
export function publicSourceState(state: SourceState): SourceState {
  return { ...state, url: redactUrl(state.url), discoveredUrl: state.discoveredUrl === null ? null : redactUrl(state.discoveredUrl), lastError: state.lastError === null ? null : redactText(state.lastError) };
}
