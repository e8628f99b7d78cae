import { describe, it, expect } from 'vitest';
import { renderOpml } from '../../src/publish/render-opml.js';
import type { CategorySummary } from '../../src/types.js';

const site = { baseUrl: 'https://feeds.example.org/', title: 'News & views' };
const categories: CategorySummary[] = [
  { slug: 'tech', name: 'Tech & <Science>', count: 3, lastChanged: new Date('2025-01-02T00:00:00Z') },
  { slug: '金融', name: '金融', count: 1, lastChanged: new Date('2025-01-03T00:00:00Z') },
  { slug: 'empty', name: 'Empty', count: 0, lastChanged: null },
];

describe('renderOpml', () => {
  it('lists every category RSS feed with title, xmlUrl and htmlUrl, escaped', () => {
    const opml = renderOpml(site, categories);
    expect(opml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<opml version="2.0">/);
    expect(opml).toContain('<title>News &amp; views</title>');
    expect(opml).toContain('<dateModified>Fri, 03 Jan 2025 00:00:00 GMT</dateModified>');
    expect(opml).toContain(
      '<outline type="rss" text="Tech &amp; &lt;Science&gt;" title="Tech &amp; &lt;Science&gt;" xmlUrl="https://feeds.example.org/feeds/tech.rss" htmlUrl="https://feeds.example.org/#category-tech"/>',
    );
    expect(opml).toContain('xmlUrl="https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D.rss"');
    expect(opml.match(/<outline /g)).toHaveLength(3);
  });

  it('leaves out `all`, which would duplicate every category', () => {
    const opml = renderOpml(site, [...categories, { slug: 'all', name: 'All', count: 4, lastChanged: null }]);
    expect(opml).not.toContain('/feeds/all.rss');
  });
});
