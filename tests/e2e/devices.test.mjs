// End-to-end: the two compute workers side by side. "auto" with a hardware GPU has the CPU
// worker time the CPU and the WebGPU worker the GPU, and the page trains on the faster; a model
// trained by the WebGPU worker (built without the CPU device) is exported by the CPU worker.
// SwiftShader is a software adapter, which "auto" never times, so this page is told otherwise:
// its adapter's info reads as a GPU's. Only the page sees that stand-in (it decides which
// workers to ask); the workers still train and time on SwiftShader.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { checkExportedOnnx, launch, recordErrors, serve } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;
const DEVICE = 240_000; // first WebGPU use compiles shaders on SwiftShader: tens of seconds

let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage({ acceptDownloads: true });
  recordErrors(page, pageErrors);
  await page.addInitScript(() => {
    if (typeof GPUAdapter === 'undefined') return;
    const standIn = { vendor: 'hearth-test', architecture: 'stand-in', device: '', description: 'a hardware GPU stand-in', isFallbackAdapter: false };
    Object.defineProperty(GPUAdapter.prototype, 'info', { get: () => standIn });
    Object.defineProperty(GPUAdapter.prototype, 'isFallbackAdapter', { get: () => false });
  });
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale) #feature-names li', { state: 'attached', timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const running = () => page.workers().map((worker) => worker.url());
const runs = (name) => running().some((url) => new RegExp(`/${name}-[0-9a-f]+_loader\\.js$`).test(url));

async function train(device, epochs) {
  await page.click('#step-train');
  await page.selectOption('#device-select', device);
  await page.fill('#epochs-input', String(epochs));
  await page.dispatchEvent('#epochs-input', 'change');
  await page.waitForSelector('#train-button:not([disabled])', { timeout: LONG });
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: DEVICE }).catch(async (error) => {
    const said = await page.$eval('#train-error', (p) => p.textContent).catch(() => 'nothing');
    throw new Error(`${error.message}\nThe Train step said: ${said}; workers: ${running().join(', ')}; page errors: ${JSON.stringify(pageErrors)}`);
  });
  const epochRows = await page.$$eval('#epochs tr[data-epoch]', (rows) => rows.length);
  const shown = await page.$eval('#train-device', (p) => ({ device: p.dataset.device, text: p.textContent }));
  return { epochRows, shown };
}

test('"auto" with a hardware GPU: each worker times its own device, the page trains on the faster and says why', async () => {
  const { epochRows, shown } = await train('auto', 2);
  assert.equal(epochRows, 2);
  assert.ok(runs('hearth-worker') && runs('hearth-gpu-worker'), `both compute workers run: ${running().join(', ')}`);
  assert.ok(['CPU', 'WebGPU'].includes(shown.device), JSON.stringify(shown));
  // Both timings are in the reason: the chosen device's, and the other's (its time, or that its
  // warm-up alone was slower than the whole run on the faster one).
  const other = shown.device === 'CPU' ? 'WebGPU' : 'CPU';
  assert.match(shown.text, new RegExp(`^Training on ${shown.device}: ${shown.device} was fastest at [0-9.]+ ms per step \\(vs ${other}[ :]`), shown.text);
  console.log(`auto with a hardware GPU (a stand-in for SwiftShader): ${shown.text}`);
  assert.deepEqual(pageErrors, []);
});

test('a model trained by the WebGPU worker is exported by the CPU worker, and onnxruntime agrees with it', async () => {
  const { shown } = await train('gpu', 3);
  assert.equal(shown.device, 'WebGPU');
  const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const modelPath = await modelDownload.path();
  await page.click('#step-export');
  await page.click('#export-button');
  await page.waitForSelector('#exported[data-form="fp32"]', { timeout: LONG });
  const csv = join(here, '..', '..', 'static', 'penguins.csv');
  await checkExportedOnnx(page, modelPath, csv, 'none');
  // The badge shows the device that trains on the GPU, not the CPU worker's.
  assert.equal(await page.$eval('#device', (badge) => badge.textContent.trim()), 'WebGPU');
  assert.deepEqual(pageErrors, []);
});
