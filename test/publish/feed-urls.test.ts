import { describe, expect, it } from 'vitest';
import { storyUrl } from '../../src/publish/feed-urls.js';

describe('storyUrl', () => {
  it('joins the base URL and the percent-encoded id without a double slash', () => {
    expect(storyUrl('http://example.net/feeds/', 'abc123')).toBe('http://example.net/feeds/stories/abc123');
    expect(storyUrl('http://example.net', 'a b/c')).toBe('http://example.net/stories/a%20b%2Fc');
  });
});
