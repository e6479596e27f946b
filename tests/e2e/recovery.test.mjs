// End-to-end: a compute worker that fails (an uncaught error in it, as a panic or exhausted
// memory ends it) is replaced; the page says what happened, keeps the dataset, its preparation
// and the trained model, and the user goes on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, recordErrors, serve } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;

let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage({ acceptDownloads: true });
  recordErrors(page, pageErrors);
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function train(epochs) {
  await page.click('#step-train');
  await page.selectOption('#device-select', 'cpu');
  await page.fill('#epochs-input', String(epochs));
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector(`#training[data-running="false"][data-epochs="${epochs}"] #download-model`, { timeout: LONG });
}

const computeWorkers = () => page.workers().filter((w) => /hearth-worker-[0-9a-f]+_loader\.js$/.test(w.url()));

test('a compute worker that fails is replaced, and the data and the model are still there', async () => {
  await train(3);
  const [failing] = computeWorkers();
  assert.ok(failing, 'the CPU compute worker runs');
  const replaced = page.waitForEvent('worker', { predicate: (w) => /hearth-worker-/.test(w.url()), timeout: LONG });
  // An uncaught error inside the worker: what a panic's trap or a failed allocation raises.
  await failing.evaluate(() => setTimeout(() => { throw new Error('simulated failure'); }, 0));
  const message = await page.waitForSelector('#train-error', { timeout: LONG });
  assert.match(await message.textContent(), /The compute worker stopped \(Uncaught Error: simulated failure\); a new one was started with your data and the current model\. Start again to go on\./);
  await replaced;
  assert.equal(await page.$eval('#training', (s) => s.dataset.running), 'false');
  // The page kept the model: it still downloads, and the Export step still finds it (the new
  // worker was handed it).
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  assert.match(download.suggestedFilename(), /^penguins\.hearth$/);
  await page.click('#step-export');
  await page.click('#export-button');
  await page.waitForSelector('#exported', { timeout: LONG });
  // The data and preparation too: training again works and the message goes away.
  await page.click('#step-data');
  assert.equal(await page.$eval('#profile', (p) => p.dataset.source), 'penguins.csv');
  await train(2);
  assert.equal(await page.$('#train-error'), null);
});

test('nothing else threw in the page or the workers', () => {
  assert.deepEqual(pageErrors.filter((e) => !/simulated failure/.test(e)), []);
});
