import { describe, expect, it } from 'vitest';
import { routeOf } from '../../src/observability/http-metrics.js';

describe('routeOf', () => {
  it('names requests by route pattern, never by raw URL', () => {
    expect(routeOf('/')).toBe('/');
    expect(routeOf('/?utm=x')).toBe('/');
    expect(routeOf('/feeds/all.rss')).toBe('/feeds/:file');
    expect(routeOf('/feeds/%E9%87%91%E8%9E%8D.atom?limit=5')).toBe('/feeds/:file');
    expect(routeOf('/feeds/finance/archive/3.atom')).toBe('/feeds/:slug/archive/:file');
    expect(routeOf('/feeds.opml')).toBe('/feeds.opml');
    expect(routeOf('/categories/finance')).toBe('/categories/:slug');
    expect(routeOf('/stories/0123456789abcdef0123')).toBe('/stories/:id');
    expect(routeOf('/healthz')).toBe('/healthz');
    expect(routeOf('/readyz')).toBe('/readyz');
    expect(routeOf('/metrics')).toBe('/metrics');
    expect(routeOf('/api/sources')).toBe('/api/sources');
    expect(routeOf('/admin/refresh?source=x')).toBe('/admin/refresh');
    expect(routeOf('/admin/secret')).toBe('/admin/*');
  });

  it('puts everything else in one bucket', () => {
    for (const url of ['/wp-login.php', '/feeds/a/b/c', '/.env', '/feeds', '/%ff']) expect(routeOf(url)).toBe('other');
  });
});
