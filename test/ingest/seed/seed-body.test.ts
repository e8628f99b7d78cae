import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../../src/ingest/seed/front-matter.js';
import { detectBodyFormat, renderSeedBody } from '../../../src/ingest/seed/seed-body.js';

const fixture = (name: string): string =>
  splitFrontMatter(readFileSync(new URL(`../../fixtures/seed/${name}`, import.meta.url), 'utf8')).body;

describe('renderSeedBody', () => {
  it('keeps a crawled HTML body as-is: no code blocks, comments and <style> stay markup, entities untouched', () => {
    const { html, format } = renderSeedBody(fixture('html-body-qr.txt'));
    expect(format).toBe('html');
    expect(html).not.toContain('<pre>');
    expect(html).not.toContain('<code>');
    expect(html).toContain('<!-- 正文下iframe -->');
    expect(html).toContain('<style>');
    expect(html).toContain('.appendQr_wrap&#123;border:1px solid #E6E6E6;padding:8px;&#125;');
    expect(html).toContain('<p class="article-editor">责任编辑：林小舟 </p>');
    expect(html.startsWith('<div>')).toBe(true);
  });

  it('renders a Markdown body with markdown-it (html, linkify)', () => {
    const { html, format } = renderSeedBody(fixture('markdown-body.md'));
    expect(format).toBe('markdown');
    expect(html).toContain('<h1>Brewing</h1>');
    expect(html).toContain('<strong>just below</strong>');
    expect(html).toContain('<li>rinse the cup</li>');
    expect(html).toContain('<a href="https://tea.example.org">https://tea.example.org</a>');
    expect(html).toContain('<pre><code>indented code');
  });

  it('renders Markdown that opens with an HTML banner but goes on with headings', () => {
    const body = '<p align="center"><img src="https://img.example.com/b.png"></p>\n\n## Setup\n\nRun it.\n';
    expect(detectBodyFormat(body)).toBe('markdown');
    expect(renderSeedBody(body).html).toContain('<h2>Setup</h2>');
  });

  it('does not mistake shell comments inside <pre> for Markdown headings', () => {
    const body = '<div>\n<pre>\n# install\nnpm i\n</pre>\n</div>';
    expect(detectBodyFormat(body)).toBe('html');
  });

  it('treats a body that is mostly tags as HTML even when it starts with text', () => {
    const body = 'Intro line\n<p>one</p>\n<p>two</p>\n<p>three</p>\n<!-- end -->';
    expect(detectBodyFormat(body)).toBe('html');
    expect(detectBodyFormat('Just a sentence.\n\nAnother *one*.')).toBe('markdown');
  });

  it('gives an empty body as empty HTML', () => {
    expect(renderSeedBody('\n\n  ')).toEqual({ html: '', format: 'html' });
  });
});
