// A story's audio and video play on its page in headless Chromium: a player per audio/video enclosure (the link
// kept), loading nothing until asked and never starting by itself, and the page's Content-Security-Policy lets
// it load the file from another http origin (the policy refused every media load before: default-src 'none').
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE, article } from '../fixtures/publish/articles.js';
import type { Served } from '../server/serve.js';
import { browseStories } from '../support/browsed-stories.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';

/** 0.1 s of silence as 8 kHz 8-bit mono PCM WAV: a file any Chromium decodes. */
function silentWav(samples = 800): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  return Buffer.concat([header, Buffer.alloc(samples, 128)]);
}

let media: FixtureServer;
let served: Served;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  media = await startFixtureServer({ '/media/episode.wav': serve(silentWav(), 'audio/wav'), '/media/clip.wav': serve(silentWav(), 'audio/wav') });
  ({ served, browser, close } = await browseStories([
    article('Podcast episode with a player', '2024-12-30T08:00:00Z', [FINANCE], {
      link: null,
      enclosures: [
        { url: media.url('/media/episode.wav'), type: 'audio/wav', length: 844 },
        { url: media.url('/media/clip.wav'), type: 'video/webm', length: null },
        { url: 'https://files.example/transcript.pdf', type: 'application/pdf', length: null },
      ],
    }),
  ]));
}, 60_000);
afterAll(async () => {
  await close?.();
  await media?.close();
});

async function openStory(page: Page): Promise<void> {
  await page.goto(`${served.base}/categories/%E9%87%91%E8%9E%8D`);
  await page.locator('article h2 a').first().click();
  await page.waitForURL(/\/stories\//);
}

describe('audio and video on a story page', () => {
  it('shows a player for each audio and video file, beside its link, that loads nothing and does not start', async () => {
    const page = await browser.newPage();
    await openStory(page);
    const players = await page.evaluate(`[...document.querySelectorAll('.media audio, .media video')].map((m) =>
      ({ tag: m.tagName.toLowerCase(), src: m.src, controls: m.controls, preload: m.preload, autoplay: m.autoplay, paused: m.paused }))`);
    expect(players).toEqual([
      { tag: 'audio', src: media.url('/media/episode.wav'), controls: true, preload: 'none', autoplay: false, paused: true },
      { tag: 'video', src: media.url('/media/clip.wav'), controls: true, preload: 'none', autoplay: false, paused: true },
    ]);
    // The links stay, the PDF has a link only.
    expect(await page.evaluate(`[...document.querySelectorAll('.media li a')].map((a) => a.href)`)).toEqual([
      media.url('/media/episode.wav'), media.url('/media/clip.wav'), 'https://files.example/transcript.pdf',
    ]);
    expect(media.requests).toEqual([]);
    await page.close();
  }, 60_000);

  it('plays the files from another origin: the page policy blocks neither, no console error', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await openStory(page);
    // What pressing play does first: fetch the file and read its metadata; a policy violation would stop it.
    const results = await page.evaluate<{ violations: string[]; duration: number; error: number | null }[]>(`(() => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
      return Promise.all([...document.querySelectorAll('.media audio, .media video')].map((m) => new Promise((resolve) => {
        const done = () => resolve({ violations, duration: m.duration, error: m.error ? m.error.code : null });
        m.addEventListener('loadedmetadata', done, { once: true });
        m.addEventListener('error', done, { once: true });
        m.preload = 'metadata';
        m.load();
      })));
    })()`);
    expect(results.map((r) => ({ ...r, duration: r.duration > 0 }))).toEqual([
      { violations: [], duration: true, error: null },
      { violations: [], duration: true, error: null },
    ]);
    expect(errors).toEqual([]);
    expect(media.requests).toEqual(expect.arrayContaining(['GET /media/episode.wav', 'GET /media/clip.wav']));
    await page.close();
  }, 60_000);
});
