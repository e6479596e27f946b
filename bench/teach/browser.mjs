// The Teach step against TensorFlow Playground in the same headless Chromium (Debian's, with
// the flags of tests/e2e/harness.mjs): the network (inputs x1 and x2, 8 and 8 tanh
// units, one output), 500 spiral points, half for training, batches of 10, learning rate 0.03.
// Each plays for 10 s after a 2 s warm-up with its boundary, unit thumbnails and loss curve
// drawn: the Playground one epoch and one full redraw per animation frame (its own loop), Hearth
// as fast as it goes with a frame at most every 100 ms. Also: one epoch from a click to its
// frame on screen in Hearth (+1 epoch), beside the Playground's time per animation frame.
// Prints JSON. Usage: node bench/teach/browser.mjs HEARTH_DIST PLAYGROUND_DIST
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', '..', 'tests', 'e2e', 'harness.mjs'));
const [hearthDist, playgroundDist] = process.argv.slice(2);
const WARM_MS = 2_000;
const RUN_MS = 10_000;
const HEARTH_LINK = 'v=1&toy=spiral&points=500&train=50&features=x1,x2&layers=8,8&act=tanh&lr=0.03&batch=10&seed=1';
const PLAYGROUND_STATE = 'activation=tanh&batchSize=10&dataset=spiral&regDataset=reg-plane&learningRate=0.03'
  + '&regularizationRate=0&noise=0&networkShape=8,8&seed=0.1&showTestData=false&discretize=false'
  + '&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false'
  + '&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false';

/** Counts changes of `selector`'s text (one per frame drawn) from now on, in `window.frames`. */
async function countFrames(page, selector) {
  await page.evaluate((s) => {
    window.framesDrawn = 0;
    new MutationObserver(() => { window.framesDrawn += 1; })
      .observe(document.querySelector(s), { childList: true, characterData: true, subtree: true });
  }, selector);
}

/** Epochs and frames per second over RUN_MS, after WARM_MS, reading the epoch with `epochAt`. */
async function measure(page, epochAt) {
  await page.waitForTimeout(WARM_MS);
  const frames = () => page.evaluate(() => window.framesDrawn);
  const [e0, f0, t0] = [await epochAt(), await frames(), Date.now()];
  await page.waitForTimeout(RUN_MS);
  const [e1, f1, t1] = [await epochAt(), await frames(), Date.now()];
  const seconds = (t1 - t0) / 1000;
  return { epochs_per_second: (e1 - e0) / seconds, frames_per_second: (f1 - f0) / seconds };
}

const hearthServer = await serve(hearthDist);
const playgroundServer = await serve(playgroundDist);
const browser = await launch();
const result = { chromium: browser.version(), run_seconds: RUN_MS / 1000 };
try {
  const playground = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await playground.goto(`${playgroundServer.url}#${PLAYGROUND_STATE}`);
  await playground.waitForSelector('#iter-number');
  await countFrames(playground, '#iter-number');
  await playground.click('#play-pause-button');
  const playgroundEpoch = async () => Number((await playground.textContent('#iter-number')).replace(/,/g, ''));
  result.playground = await measure(playground, playgroundEpoch);
  await playground.click('#play-pause-button');
  result.playground.ms_per_epoch_drawn = 1000 / result.playground.frames_per_second;
  await playground.close();

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${hearthServer.url}#/teach?${HEARTH_LINK}`);
  await page.waitForSelector('#teach-epoch:not([disabled])', { timeout: 120_000 });
  await countFrames(page, '#teach-epoch-count');
  await page.selectOption('#teach-speed', 'Fast');
  await page.click('#teach-play');
  const epochAt = async () => Number(await page.textContent('#teach-epoch-count'));
  result.hearth = await measure(page, epochAt);
  await page.click('#teach-play');
  await page.waitForSelector('#teach-play[aria-pressed="false"]');
  // Timed inside the page (no automation round trip): from the click to the new epoch's
  // frame committed to the DOM and canvases (a MutationObserver on the epoch counter, which
  // Yew updates in the same render that redraws the canvases' effects).
  // Five warm-up clicks (the first frames compile and allocate), then 21 timed.
  const clicks = [];
  for (let i = 0; i < 26; i++) {
    clicks.push(await page.evaluate(() => new Promise((resolve) => {
      const counter = document.querySelector('#teach-epoch-count');
      const started = performance.now();
      const observer = new MutationObserver(() => {
        observer.disconnect();
        // The canvases are drawn in effects right after the render: one more task.
        setTimeout(() => resolve(performance.now() - started), 0);
      });
      observer.observe(counter, { childList: true, characterData: true, subtree: true });
      document.querySelector('#teach-epoch').click();
    })));
  }
  clicks.splice(0, 5);
  clicks.sort((a, b) => a - b);
  result.hearth.ms_per_epoch_drawn_one_click = clicks[10];
  result.epochs_per_second_ratio = result.hearth.epochs_per_second / result.playground.epochs_per_second;
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  hearthServer.close();
  playgroundServer.close();
}
