// End-to-end: the page used with the keyboard only, on a phone's width, and in the system's dark
// theme. The keyboard path goes through every step with page.keyboard alone and checks, at every
// Tab stop on the way, that the focused control shows a focus ring.
// HEARTH_SHOTS=DIR also saves screenshots of the phone width and the dark theme there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch, recordErrors, serve } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const shots = process.env.HEARTH_SHOTS;
const LONG = 60_000;
const STUDY = 240_000;
const STEPS = ['data', 'prepare', 'train', 'search', 'export', 'use', 'teach'];

let server, browser, page;
const pageErrors = [];
let choosers = 0; // file choosers opened so far

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  recordErrors(page, pageErrors);
  // Listening from the start turns on the interception of file choosers before any key is
  // pressed (waiting for the event only when pressing races with turning it on).
  page.on('filechooser', () => { choosers += 1; });
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** What has the focus, and whether a person can see that it has: a file input is transparent
 * over its label, so its label must wear the ring. */
async function focusInfo() {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { none: true };
    const shown = element.type === 'file' ? element.closest('label') : element;
    const style = shown ? getComputedStyle(shown) : null;
    const outline = style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style && style.boxShadow && style.boxShadow !== 'none';
    const box = shown?.getBoundingClientRect();
    return {
      none: false,
      id: element.id,
      what: `${element.tagName.toLowerCase()}#${element.id}.${element.className} "${(shown?.textContent ?? '').trim().slice(0, 40)}"`,
      ring: Boolean(outline || shadow),
      sized: Boolean(box && box.width > 0 && box.height > 0),
    };
  });
}

/** Presses Tab (or Shift+Tab) until the element matching `selector` has the focus, checking at
 * every stop on the way that the focus is visible. */
async function tabTo(selector, { back = false, limit = 250 } = {}) {
  for (let press = 0; press < limit; press += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const info = await focusInfo();
    if (info.none) continue; // past the end of the page, before it wraps around
    assert.ok(info.sized, `the focused ${info.what} has no size`);
    assert.ok(info.ring, `the focused ${info.what} shows no focus ring`);
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return info;
  }
  throw new Error(`${selector} was not reached with ${back ? 'Shift+Tab' : 'Tab'}`);
}

/** Opens a file chooser from the focused file input with `key`, and says whether it opened. */
async function opensChooser(key) {
  const before = choosers;
  await page.keyboard.press(key);
  for (let waited = 0; waited < 5_000 && choosers === before; waited += 50) await page.waitForTimeout(50);
  return choosers > before;
}

/** Replaces the value of the focused text or number field and leaves it, which commits it. */
async function typeInto(selector, text) {
  await tabTo(selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

const SMALL_SPACE = JSON.stringify({
  model: { categorical: { choices: ['linear', 'mlp'] } },
  width: { int: { low: 4, high: 16 } },
  epochs: { fixed: { value: 3 } },
});

test('keyboard only: a sample and the CSV chooser on the Data step', async () => {
  await tabTo('#sample-select');
  await page.keyboard.press('i'); // type-ahead: "Iris — species (multiclass)"
  await page.waitForSelector('#profile[data-source="iris.csv"]:not(.stale)', { timeout: LONG });
  const chooser = await tabTo('#file-input');
  assert.equal(chooser.id, 'file-input');
  assert.ok(await opensChooser('Enter'), 'Enter on "Choose a CSV…" opens the file chooser');
});

test('keyboard only: to Prepare through the step tabs', async () => {
  await tabTo('#step-prepare', { back: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  assert.equal(await page.$eval('#step-prepare', (tab) => tab.getAttribute('aria-current')), 'step');
});

test('keyboard only: Train two epochs on the CPU; "Load a .hearth model…" takes the focus', async () => {
  await tabTo('#step-train', { back: false, limit: 3 }); // the next tab after Prepare
  await page.keyboard.press('Space');
  await page.waitForSelector('#train-button', { timeout: LONG });
  await typeInto('#epochs-input', '2');
  await tabTo('#device-select');
  await page.keyboard.press('c'); // type-ahead: "CPU"
  assert.equal(await page.$eval('#device-select', (select) => select.value), 'cpu');
  await tabTo('#train-button');
  assert.equal(await page.$eval('#epochs-input', (input) => input.value), '2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: STUDY });
  assert.equal(await page.$$eval('#epochs tr[data-epoch]', (rows) => rows.length), 2);
  assert.equal(await page.$eval('#train-device', (p) => p.dataset.device), 'CPU');
  await tabTo('#model-file-input', { back: true });
  assert.ok(await opensChooser('Space'), 'Space on "Load a .hearth model…" opens the file chooser');
});

test('keyboard only: a two-trial study, "Import study…" and sorting the leaderboard', async () => {
  await tabTo('#step-search', { back: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#search-button', { timeout: LONG });
  await tabTo('#pruner-select');
  await page.keyboard.press('n'); // type-ahead: "none", so that both trials complete
  assert.equal(await page.$eval('#pruner-select', (select) => select.value), 'none');
  await typeInto('#trials-input', '2');
  await typeInto('#workers-input', '2');
  await tabTo('#search-settings details summary');
  await page.keyboard.press('Enter'); // opens the search space
  await typeInto('#space-input', SMALL_SPACE);
  await tabTo('#search-button');
  assert.equal(await page.$eval('#trials-input', (input) => input.value), '2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#study[data-running="false"][data-trials="2"]', { timeout: STUDY });
  assert.equal(await page.$eval('#study', (study) => Number(study.dataset.complete)), 2);

  await tabTo('#study-file-input', { back: true });
  assert.ok(await opensChooser('Enter'), 'Enter on "Import study…" opens the file chooser');

  const order = () => page.$$eval('#leaderboard tr[data-trial]', (rows) => rows.map((row) => Number(row.dataset.trial)));
  assert.equal(await page.$eval('#leaderboard th[data-sort="#"]', (th) => th.getAttribute('aria-sort')), 'none');
  await tabTo('#leaderboard th[data-sort="#"] button');
  const sorted = (order) => page.waitForSelector(`#leaderboard th[data-sort="#"][aria-sort="${order}"]`, { timeout: 5_000 });
  await page.keyboard.press('Enter');
  await sorted('ascending');
  assert.deepEqual(await order(), [0, 1]);
  await page.keyboard.press('Space');
  await sorted('descending');
  assert.deepEqual(await order(), [1, 0]);
  await page.click('#leaderboard th[data-sort="#"]'); // and the mouse, anywhere on the header
  await sorted('ascending');
});

test('keyboard only: Export builds the ONNX file', async () => {
  await tabTo('#step-export', { back: true });
  await page.keyboard.press('Enter');
  await tabTo('#export-button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#exported', { timeout: LONG });
  await tabTo('#download-onnx');
});

test('keyboard only: Use answers a typed row, explains it and opens the batch chooser', async () => {
  await tabTo('#step-use', { back: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#use-answer', { timeout: LONG });
  const before = await page.$eval('#use-timing', (p) => p.dataset.latencyMs);
  // The first number field, well past the training range.
  const field = await page.$eval('.number-field input.use-input', (input) => input.id);
  await typeInto(`#${field}`, '100000');
  await page.waitForFunction((b) => document.querySelector('#use-timing')?.dataset.latencyMs !== b, before, { timeout: LONG });
  assert.match(await page.$eval(`#${field}`, (input) => input.closest('.use-field').querySelector('.flag')?.textContent ?? ''), /outside the training range/);
  await tabTo('#explain-button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#use-explanation', { timeout: LONG });
  await tabTo('#batch-input');
  assert.ok(await opensChooser('Enter'), 'Enter on "Predict a CSV…" opens the file chooser');
});

test('at 390 px wide no step scrolls sideways and every step tab is on screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const step of STEPS) {
    await page.click(`#step-${step}`);
    await page.waitForSelector(`#step-${step}[aria-current="step"]`);
    await page.waitForTimeout(200); // charts are drawn after the first render
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the ${step} step is ${width} px wide`);
    const tabs = await page.$$eval('.steps button', (buttons) => buttons.map((button) => {
      const box = button.getBoundingClientRect();
      return { id: button.id, left: box.left, right: box.right, height: box.height };
    }));
    assert.equal(tabs.length, STEPS.length);
    for (const tab of tabs) {
      assert.ok(tab.left >= 0 && tab.right <= 390 && tab.height > 0, `${tab.id} is off screen: ${JSON.stringify(tab)}`);
    }
    if (shots) await page.screenshot({ path: join(shots, `phone-${step}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

/** Relative luminance of a CSS rgb()/rgba() colour, 0 (black) to 1 (white). */
function luminance(color) {
  const [r, g, b] = color.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function colours() {
  return page.evaluate(() => {
    const body = getComputedStyle(document.body);
    const chart = document.querySelector('figure.chart svg');
    return {
      background: body.backgroundColor,
      text: body.color,
      muted: getComputedStyle(document.querySelector('.tagline')).color,
      chartFilter: chart ? getComputedStyle(chart).filter : null,
    };
  });
}

test('the dark theme follows the system, charts included', async () => {
  await page.click('#step-train');
  await page.waitForSelector('#loss-chart svg');
  const light = await colours();
  assert.ok(luminance(light.background) > 0.8 && luminance(light.text) < 0.1, JSON.stringify(light));
  assert.equal(light.chartFilter, 'none');

  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colours();
  assert.ok(luminance(dark.background) < 0.05, `dark background: ${dark.background}`);
  assert.ok(luminance(dark.text) > 0.7, `light text: ${dark.text}`);
  // WCAG AA for the secondary text as well.
  const contrast = (luminance(dark.muted) + 0.05) / (luminance(dark.background) + 0.05);
  assert.ok(contrast >= 4.5, `muted text contrast ${contrast.toFixed(2)}`);
  assert.match(dark.chartFilter, /invert/, 'the charts are redrawn for the dark page');
  if (shots) {
    for (const step of ['data', 'train', 'search']) {
      await page.click(`#step-${step}`);
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(shots, `dark-${step}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

test('nothing panicked or threw in the page or the worker', () => {
  assert.deepEqual(pageErrors, []);
});
