// End-to-end: a worker that fails (an uncaught error in it, as a panic or exhausted memory ends
// it) is replaced; the page says what happened, keeps the dataset, its preparation and the
// trained model, and the user goes on. For the compute worker and for the data worker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, recordErrors, serve, trainOnCpu } from './harness.mjs';

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

const computeWorkers = () => page.workers().filter((w) => /hearth-worker-[0-9a-f]+_loader\.js$/.test(w.url()));

test('a compute worker that fails is replaced, and the data and the model are still there', async () => {
  await trainOnCpu(page, 3);
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
  await trainOnCpu(page, 2);
  assert.equal(await page.$('#train-error'), null);
});

const dataWorkers = () => page.workers().filter((w) => /hearth-data-worker-[0-9a-f]+_loader\.js$/.test(w.url()));

test('a data worker that fails is replaced with the last dataset that loaded and its preparation', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'iris.csv');
  await page.waitForSelector('#profile[data-source="iris.csv"]:not(.stale)', { timeout: LONG });
  await page.click('#step-prepare');
  const speciesFeatures = await (await page.waitForSelector('#prep:not(.stale)', { timeout: LONG })).getAttribute('data-features');
  const [failing] = dataWorkers();
  assert.ok(failing, 'the data worker runs');
  const replaced = page.waitForEvent('worker', { predicate: (w) => /hearth-data-worker-/.test(w.url()), timeout: LONG });
  await failing.evaluate(() => setTimeout(() => { throw new Error('simulated failure'); }, 0));
  await replaced;
  await page.click('#step-data');
  const message = await page.waitForSelector('#error', { timeout: LONG });
  assert.equal(await message.textContent(),
    'The data worker stopped (Uncaught Error: simulated failure); a new one was started with iris.csv, the last dataset that loaded.');
  assert.equal(await page.$eval('#profile', (p) => p.dataset.source), 'iris.csv', 'the dataset is still shown');
  // The new worker holds iris: a new target is prepared by it, and another dataset loads.
  await page.selectOption('#target-select', 'petal_width_cm');
  await page.click('#step-prepare');
  await page.waitForFunction((before) => {
    const prep = document.querySelector('#prep:not(.stale)');
    return prep && prep.dataset.features !== before;
  }, speciesFeatures, { timeout: LONG });
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'penguins.csv');
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
  assert.equal(await page.$('#error'), null, 'the message goes with the next load');
  assert.equal(dataWorkers().length, 1, 'the failed worker was terminated');
  await trainOnCpu(page, 2);
});

test('a chosen file is read by the data worker only: the compute worker trains on the examples it is handed', async () => {
  // Count the file reads in every worker (web_file reads through FileReaderSync).
  const countReads = () => {
    globalThis.hearthFileReads = 0;
    const read = FileReaderSync.prototype.readAsArrayBuffer;
    FileReaderSync.prototype.readAsArrayBuffer = function (blob) {
      globalThis.hearthFileReads += 1;
      return read.call(this, blob);
    };
  };
  const counting = [];
  page.on('worker', (worker) => counting.push(worker.evaluate(countReads).catch(() => {})));
  await Promise.all(page.workers().map((worker) => worker.evaluate(countReads)));
  // 40,000 rows, so that the training rows go over in more than one block; the label is
  // x + y > 0, which a model trained on these rows learns at once.
  let state = 7;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines = ['x,y,colour,label'];
  for (let row = 0; row < 40_000; row++) {
    const [x, y] = [uniform() * 4 - 2, uniform() * 4 - 2];
    lines.push(`${x.toFixed(3)},${y.toFixed(3)},${uniform() < 0.5 ? 'red' : 'blue'},${x + y > 0 ? 'yes' : 'no'}`);
  }
  await page.click('#step-data');
  await page.setInputFiles('#file-input', { name: 'plane.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await page.waitForSelector('#profile[data-source="plane.csv"]:not(.stale)', { timeout: LONG });
  await page.selectOption('#target-select', 'label');
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  await trainOnCpu(page, 2);
  await Promise.all(counting);
  const reads = (workers) => Promise.all(workers.map((worker) => worker.evaluate(() => globalThis.hearthFileReads)));
  const [dataReads] = await reads(dataWorkers());
  assert.ok(dataReads > 0, 'the data worker read the file');
  assert.deepEqual(await reads(computeWorkers()), [0], 'the compute worker never read it');
  const lastLoss = await page.$eval('#epochs tr[data-epoch="2"]', (row) => Number(row.dataset.trainLoss));
  assert.ok(lastLoss < 0.4, `trained on the rows handed over: loss ${lastLoss}`);
});

test('nothing else threw in the page or the workers', () => {
  assert.deepEqual(pageErrors.filter((e) => !/simulated failure/.test(e)), []);
});
