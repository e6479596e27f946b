// WebGPU work per training step, counted in the same headless Chromium for TF.js's webgpu
// backend and for Hearth's page worker (issue 15: "count first"). Every GPUQueue,
// GPUCommandEncoder, GPUComputePassEncoder and GPUDevice method that costs a round through the
// browser's GPU process is wrapped in the page (TF.js) or at the top of the engine worker's
// loader script (Hearth) and counted; wall time is read beside the counts.
// Per step, both sides difference two runs so that set-up and shader compilation cancel:
//   TF.js: benchTfjs with 20 and with 40 steps (one readback at the end of each), / 20;
//   Hearth: the real page trains 1 and 3 epochs on WebGPU, / (2 epochs × steps per epoch), each
//   epoch's validation pass and one readback included (amortised over its steps).
// Beside the totals, per step: dispatches by kernel (the pipeline's label) and writes by size.
// Usage: node bench/webgpu-counts.mjs CSV DIST   (CSV: bench/gen-train-csv.mjs output, target "label")
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', 'tests', 'e2e', 'harness.mjs'));
const { trainInPage } = await import(join(here, 'train-in-page.mjs'));
const [csv, dist] = process.argv.slice(2);
if (!csv || !dist) throw new Error('usage: node bench/webgpu-counts.mjs CSV DIST');

// Runs in a page or a worker before anything else: wraps the counted methods.
const PRELUDE = `(() => {
  if (typeof GPUQueue === 'undefined' || globalThis.__gpu) return;
  const counts = globalThis.__gpu = {};
  const wrap = (proto, name, key) => {
    const original = proto?.[name];
    if (typeof original !== 'function') return;
    proto[name] = function (...args) { counts[key] = (counts[key] ?? 0) + 1; return original.apply(this, args); };
  };
  const count = (key) => { counts[key] = (counts[key] ?? 0) + 1; };
  wrap(GPUQueue.prototype, 'submit', 'submit');
  // Writes by size ('bytes:N') and dispatches by the pipeline's label ('kernel:NAME', cubecl
  // labels each kernel) say what the totals are made of.
  const write = GPUQueue.prototype.writeBuffer;
  GPUQueue.prototype.writeBuffer = function (buffer, offset, data, dataOffset = 0, size) {
    count('writeBuffer');
    count('bytes:' + (size ?? (data.byteLength ?? data.length) - dataOffset));
    return write.apply(this, arguments);
  };
  const labels = new WeakMap();
  let kernel = '?';
  for (const name of ['createComputePipeline', 'createComputePipelineAsync']) {
    const create = GPUDevice.prototype[name];
    GPUDevice.prototype[name] = function (descriptor) {
      const created = create.apply(this, arguments);
      const label = String(descriptor?.label || 'unlabelled').slice(0, 48);
      if (typeof created?.then === 'function') return created.then((p) => (labels.set(p, label), p));
      labels.set(created, label);
      return created;
    };
  }
  const setPipeline = GPUComputePassEncoder.prototype.setPipeline;
  GPUComputePassEncoder.prototype.setPipeline = function (pipeline) {
    kernel = labels.get(pipeline) ?? '?';
    return setPipeline.apply(this, arguments);
  };
  for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
    const dispatch = GPUComputePassEncoder.prototype[name];
    GPUComputePassEncoder.prototype[name] = function () {
      count('dispatch');
      count('kernel:' + kernel);
      return dispatch.apply(this, arguments);
    };
  }
  wrap(GPUCommandEncoder.prototype, 'beginComputePass', 'computePass');
  wrap(GPUCommandEncoder.prototype, 'copyBufferToBuffer', 'copyBuffer');
  wrap(GPUDevice.prototype, 'createCommandEncoder', 'commandEncoder');
  wrap(GPUDevice.prototype, 'createBuffer', 'createBuffer');
  wrap(GPUDevice.prototype, 'createBindGroup', 'bindGroup');
  wrap(GPUDevice.prototype, 'createComputePipeline', 'pipeline');
  wrap(GPUDevice.prototype, 'createComputePipelineAsync', 'pipeline');
  wrap(GPUBuffer.prototype, 'mapAsync', 'mapAsync');
})();
`;

const KEYS = ['dispatch', 'submit', 'writeBuffer', 'copyBuffer', 'computePass', 'commandEncoder',
  'createBuffer', 'bindGroup', 'pipeline', 'mapAsync'];

function perStep(low, high, steps) {
  const out = {};
  for (const key of KEYS) out[key] = ((high.counts[key] ?? 0) - (low.counts[key] ?? 0)) / steps;
  out.ms = (high.ms - low.ms) / steps;
  return out;
}

// The per-step counts of the keys starting with `prefix` (kernels, write sizes), largest first.
function breakdown(low, high, steps, prefix) {
  const keys = new Set([...Object.keys(low.counts), ...Object.keys(high.counts)]);
  const rows = [...keys].filter((key) => key.startsWith(prefix))
    .map((key) => [key.slice(prefix.length), ((high.counts[key] ?? 0) - (low.counts[key] ?? 0)) / steps])
    .filter(([, n]) => n !== 0)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows);
}

const tfjs = (path) => join(here, 'node_modules', '@tensorflow', path);
const bench = await serve(here, {
  '/tfjs/tf.min.js': tfjs('tfjs/dist/tf.min.js'),
  '/tfjs/tf-backend-webgpu.min.js': tfjs('tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js'),
  '/tfjs/tf-backend-wasm.min.js': tfjs('tfjs-backend-wasm/dist/tf-backend-wasm.min.js'),
});
const browser = await launch();
const results = {};
try {
  // TF.js: the MLP of bench/tfjs.html, 20 and 40 steps in fresh pages.
  const tf = {};
  for (const steps of [20, 40]) {
    const page = await browser.newPage();
    await page.addInitScript(PRELUDE);
    await page.goto(`${bench.url}tfjs.html`);
    const run = await page.evaluate(async (n) => {
      const before = { ...globalThis.__gpu };
      const result = await window.benchTfjs('webgpu', { steps: n });
      const counts = {};
      for (const [key, value] of Object.entries(globalThis.__gpu)) counts[key] = value - (before[key] ?? 0);
      return { counts, ms: result.millis };
    }, steps);
    tf[steps] = run;
    await page.close();
  }
  results.tfjs = perStep(tf[20], tf[40], 20);
  results.tfjsKernels = breakdown(tf[20], tf[40], 20, 'kernel:');
  results.tfjsWrites = breakdown(tf[20], tf[40], 20, 'bytes:');

  // Hearth: the page, as bench/browser-train.mjs drives it, with the WebGPU worker's loader wrapped.
  const rows = (await readFile(csv, 'utf8')).trim().split('\n').length - 1;
  const stepsPerEpoch = Math.ceil(Math.round(rows * 0.7) / 256);
  const hearth = {};
  for (const epochs of [1, 3]) {
    const app = await serve(dist);
    // No service worker: requests it would answer never reach page.route.
    const page = await browser.newPage({ serviceWorkers: 'block' });
    await page.route(/hearth-gpu-worker-[0-9a-f]+_loader\.js$/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: PRELUDE + await response.text() });
    });
    const workers = [];
    page.on('worker', (worker) => workers.push(worker));
    let worker, before, started;
    await trainInPage(page, app.url, csv, 'gpu', epochs, async () => {
      worker = workers.find((w) => w.url().includes('hearth-gpu-worker'));
      before = await worker.evaluate(() => ({ ...globalThis.__gpu }));
      started = Date.now();
    });
    const ms = Date.now() - started;
    const after = await worker.evaluate(() => ({ ...globalThis.__gpu }));
    const counts = {};
    for (const [key, value] of Object.entries(after)) counts[key] = value - (before[key] ?? 0);
    hearth[epochs] = { counts, ms };
    await page.close();
    app.close();
  }
  results.hearth = perStep(hearth[1], hearth[3], 2 * stepsPerEpoch);
  results.hearthKernels = breakdown(hearth[1], hearth[3], 2 * stepsPerEpoch, 'kernel:');
  results.hearthWrites = breakdown(hearth[1], hearth[3], 2 * stepsPerEpoch, 'bytes:');
  results.hearthStepsPerEpoch = stepsPerEpoch;
  results.raw = { tfjs: tf, hearth };
} finally {
  await browser.close();
  bench.close();
}
console.log(JSON.stringify(results, null, 2));
