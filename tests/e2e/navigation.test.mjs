// End-to-end: finding one's way and not losing work. Each step has a URL that Back, Forward
// and a reload honour; leaving while training runs asks first; loading other data sets the
// model aside where it stays reachable, and its files keep the name of the model's own data;
// every term a newcomer meets has a one-line explanation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch, serve } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 90_000;

let server, browser, page;
const pageErrors = [];

async function open(path = '') {
  const opened = await browser.newPage();
  opened.on('pageerror', (error) => pageErrors.push(String(error)));
  await opened.goto(server.url + path);
  return opened;
}

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await open();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const hashOf = (p) => p.evaluate(() => window.location.hash);
const activeStep = (p) => p.$eval('nav.steps [aria-current="step"]', (button) => button.id);

async function profileOf(p, source) {
  await p.waitForSelector(`#profile[data-source="${source}"]:not(.stale)`, { timeout: LONG });
}

/** Whether a beforeunload event would be cancelled, i.e. leaving would ask first. */
const leavingAsks = (p) => p.evaluate(() => {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
});

async function startTrainingOnCpu(p, epochs, patience = 20) {
  await p.click('#step-train');
  await p.selectOption('#device-select', 'cpu');
  for (const [input, value] of [['#epochs-input', epochs], ['#patience-input', patience]]) {
    await p.fill(input, String(value));
    await p.dispatchEvent(input, 'change');
  }
  await p.click('#train-button');
}

test('the page opens on #/data and each step click gives the URL its step', async () => {
  await profileOf(page, 'penguins.csv');
  assert.equal(await hashOf(page), '#/data');
  for (const step of ['prepare', 'train', 'search', 'export', 'data']) {
    await page.click(`#step-${step}`);
    assert.equal(await hashOf(page), `#/${step}`);
    assert.equal(await activeStep(page), `step-${step}`);
  }
});

test('Back and Forward move between steps without leaving the app', async () => {
  // A mark on the document: a reload or leaving the app would lose it.
  await page.evaluate(() => { window.stillHere = true; });
  await page.click('#step-prepare');
  await page.waitForSelector('#prep', { timeout: LONG });
  await page.click('#step-train');
  assert.equal(await hashOf(page), '#/train');
  await page.goBack();
  await page.waitForFunction(() => window.location.hash === '#/prepare');
  await page.waitForSelector('#step-prepare[aria-current="step"]');
  assert.ok(await page.$('#prep'), 'the Prepare step is shown with its data');
  assert.equal(await page.evaluate(() => window.stillHere), true, 'the app was not reloaded');
  await page.goForward();
  await page.waitForSelector('#step-train[aria-current="step"]');
  assert.equal(await hashOf(page), '#/train');
  assert.equal(await page.evaluate(() => window.stillHere), true);
});

test('a reload, or a pasted URL, opens the step it names', async () => {
  await page.click('#step-prepare');
  await page.reload();
  await page.waitForSelector('#step-prepare[aria-current="step"]', { timeout: LONG });
  assert.equal(await hashOf(page), '#/prepare');
  // The sample loads on start, so Prepare fills in once the worker has fitted it.
  await page.waitForSelector('#prep', { timeout: LONG });
  const pasted = await open('#/search');
  await pasted.waitForSelector('#step-search[aria-current="step"]', { timeout: LONG });
  assert.equal(await hashOf(pasted), '#/search');
  await pasted.close();
});

test('a step whose prerequisites are missing says so in one sentence', async () => {
  const early = await open('#/export');
  await early.waitForSelector('#step-export[aria-current="step"]', { timeout: LONG });
  const text = await early.$eval('main.step-export', (main) => main.textContent);
  assert.match(text, /Train a model, pick a trial or load a \.hearth file first/);
  await early.close();
});

test('leaving asks first while a CPU training runs, and not when idle', async () => {
  const guarded = await open('#/train');
  await guarded.waitForSelector('#train-button:not([disabled])', { timeout: LONG });
  assert.equal(await leavingAsks(guarded), false, 'idle: leaving does not ask');
  // No early stop (patience 0): the run must outlast the checks.
  await startTrainingOnCpu(guarded, 5000, 0);
  await guarded.waitForSelector('#epochs tr[data-epoch="2"]', { state: 'attached', timeout: LONG });
  assert.equal(await leavingAsks(guarded), true, 'training: leaving asks');
  await guarded.click('#stop-button');
  await guarded.waitForSelector('#training[data-running="false"] #download-model', { timeout: LONG });
  assert.equal(await leavingAsks(guarded), false, 'done: leaving does not ask');
  await guarded.close();
});

test('loading another sample sets the model aside, reachable and named after its data', async () => {
  await page.click('#step-data');
  await profileOf(page, 'penguins.csv');
  await page.click('#step-prepare');
  await page.waitForSelector('#prep', { timeout: LONG });
  await startTrainingOnCpu(page, 3);
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: LONG });
  await page.click('#step-data');
  const warning = await page.textContent('#set-aside-warning');
  assert.match(warning, /another dataset sets the current model \(penguins\.csv, .+\) aside/);

  await page.selectOption('#sample-select', 'iris.csv');
  await profileOf(page, 'iris.csv');
  const entry = page.locator('#set-aside .set-aside-model[data-data="penguins.csv"]');
  await entry.waitFor({ timeout: LONG });
  assert.match(await entry.textContent(), /Previous model \(penguins\.csv, .+\) — set aside when iris\.csv was loaded/);
  const [download] = await Promise.all([page.waitForEvent('download'), entry.locator('a.download-set-aside').click()]);
  assert.equal(download.suggestedFilename(), 'penguins.hearth');
  const model = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(model.format, 'hearth-model');

  await entry.locator('button.use-again').click();
  await page.waitForSelector('#trained[data-loaded="true"]', { timeout: LONG });
  assert.equal(await hashOf(page), '#/train');
  assert.equal(await page.$eval('#download-model', (a) => a.getAttribute('download')), 'penguins.hearth',
    'the model file is named after its data, not the iris dataset loaded now');
  assert.equal(await page.$('#set-aside .set-aside-model[data-data="penguins.csv"]'), null, 'in use, no longer set aside');

  await page.click('#step-export');
  await page.click('#export-button');
  await page.waitForSelector('#download-onnx', { timeout: LONG });
  const onnxName = await page.$eval('#download-onnx', (a) => a.getAttribute('download'));
  assert.match(onnxName, /^penguins-.+\.onnx$/);
});

test('every term a newcomer meets has a one-line explanation', async () => {
  const terms = ['one-hot', 'frequency', 'patience', 'tpe', 'asha', 'median', 'fp16', 'dynamic-int8',
    'static-int8', 'pruning', 'drift'];
  const glossary = await page.$$eval('#glossary dt', (items) => items.map((dt) => ({
    id: dt.id, meaning: dt.nextElementSibling?.textContent ?? '',
  })));
  for (const term of terms) {
    const entry = glossary.find((item) => item.id === `glossary-${term}`);
    assert.ok(entry, `the glossary explains ${term}`);
    assert.match(entry.meaning, /^[A-Z].{20,}\.$/, `${term}: one sentence`);
  }
  // Each step says what it is for, and its terms carry their meaning as a tooltip.
  const tooltips = new Set();
  for (const step of ['data', 'prepare', 'train', 'search', 'export']) {
    await page.click(`#step-${step}`);
    assert.match(await page.textContent('#step-help'), /^What is this step\? \S/);
    const titled = await page.$$eval('#step-help abbr[data-term]', (items) => items
      .filter((abbr) => abbr.title.length > 20).map((abbr) => abbr.dataset.term));
    titled.forEach((term) => tooltips.add(term));
  }
  assert.deepEqual([...tooltips].sort(), terms.slice().sort());
  // The controls that choose them say it too.
  await page.click('#step-search');
  assert.match(await page.$eval('#sampler-select', (s) => s.closest('label').title), /TPE: /);
  assert.match(await page.$eval('#pruner-select', (s) => s.closest('label').title), /ASHA: .*\n.*median pruner: /s);
  await page.click('#step-export');
  assert.match(await page.$eval('#quantize-select', (s) => s.closest('label').title), /fp16.*dynamic int8.*static int8/s);
});

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});
