// The Teach step's speed in Debian's headless Chromium: the network (2-8-8-1, tanh,
// inputs x1 and x2) on 500 spiral points, played "as fast as it goes" with the boundary, every
// unit's thumbnail, the loss curve and the weight histograms drawn (≤ 10 frames a second), for
// 10 s after a 2 s warm-up; and stepped one epoch per click, the way a teacher steps it.
// Prints epochs per second and the frames drawn. Usage: node bench/browser-teach.mjs DIST
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', 'tests', 'e2e', 'harness.mjs'));
const [dist] = process.argv.slice(2);
const server = await serve(dist);
const browser = await launch();
const LINK = 'v=1&toy=spiral&points=500&train=50&features=x1,x2&layers=8,8&act=tanh&lr=0.03&batch=10';
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}#/teach?${LINK}`);
  await page.waitForSelector('#teach-epoch:not([disabled])', { timeout: 120_000 });
  // Frames drawn: each new frame redraws the plane canvas.
  await page.evaluate(() => {
    window.frames_drawn = 0;
    new MutationObserver(() => { window.frames_drawn += 1; })
      .observe(document.querySelector('#teach-epoch-count'), { childList: true, characterData: true, subtree: true });
  });
  await page.selectOption('#teach-speed', 'Fast');
  await page.click('#teach-play');
  await page.waitForTimeout(2_000);
  const epochAt = async () => Number(await page.textContent('#teach-epoch-count'));
  const [e0, f0, t0] = [await epochAt(), await page.evaluate(() => window.frames_drawn), Date.now()];
  await page.waitForTimeout(10_000);
  const [e1, f1, t1] = [await epochAt(), await page.evaluate(() => window.frames_drawn), Date.now()];
  await page.click('#teach-play');
  const seconds = (t1 - t0) / 1000;
  // One epoch per click: from the click to the new frame on screen.
  const clicks = [];
  for (let i = 0; i < 20; i++) {
    const before = await epochAt();
    const started = Date.now();
    await page.click('#teach-epoch');
    await page.waitForFunction((b) => Number(document.querySelector('#teach-epoch-count').textContent) > b, before);
    clicks.push(Date.now() - started);
  }
  clicks.sort((a, b) => a - b);
  console.log(JSON.stringify({
    chromium: browser.version(),
    playing: { epochs_per_second: (e1 - e0) / seconds, frames_per_second: (f1 - f0) / seconds },
    one_epoch_click_ms_median: clicks[10],
  }, null, 2));
} finally {
  await browser.close();
  server.close();
}
