// Browser half of the training benchmark: the same MLP (20 → 64 → 64 → 2, batch 256, Adam) in
// the same headless Chromium, trained by TF.js on its webgpu and wasm backends and, given the
// CSV and the built app, by Hearth in its worker on the CPU and on WebGPU (the real page,
// driven like a person: upload, pick the target, set the model, train, read each epoch).
// Usage: node bench/browser-train.mjs [steps] [CSV DIST CPU_EPOCHS GPU_EPOCHS]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', 'tests', 'e2e', 'harness.mjs'));
const { trainInPage } = await import(join(here, 'train-in-page.mjs'));
const steps = Number(process.argv[2] ?? 20);
const [csv, dist, cpuEpochs, gpuEpochs] = process.argv.slice(3);
const tfjs = (path) => join(here, 'node_modules', '@tensorflow', path);
const server = await serve(here, {
  '/tfjs/tf.min.js': tfjs('tfjs/dist/tf.min.js'),
  '/tfjs/tf-backend-webgpu.min.js': tfjs('tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js'),
  '/tfjs/tf-backend-wasm.min.js': tfjs('tfjs-backend-wasm/dist/tf-backend-wasm.min.js'),
  '/tfjs/tfjs-backend-wasm.wasm': tfjs('tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
  '/tfjs/tfjs-backend-wasm-simd.wasm': tfjs('tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
  '/tfjs/tfjs-backend-wasm-threaded-simd.wasm': tfjs('tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'),
});
const browser = await launch();
const results = [];
try {
  for (const backend of ['wasm', 'webgpu']) {
    const page = await browser.newPage();
    await page.goto(server.url + 'tfjs.html');
    results.push(await page.evaluate(([backend, steps]) => window.benchTfjs(backend, { steps }), [backend, steps]));
    await page.close();
  }
  if (csv && dist) {
    results.push(await hearth('cpu', Number(cpuEpochs ?? 3)));
    results.push(await hearth('gpu', Number(gpuEpochs ?? 2)));
  }
} finally {
  await browser.close();
  server.close();
}

/** Trains in the Hearth page; samples/s of each epoch (the first on WebGPU compiles shaders). */
async function hearth(device, epochs) {
  const app = await serve(dist);
  const page = await browser.newPage();
  try {
    await trainInPage(page, app.url, csv, device, epochs);
    const perEpoch = await page.$$eval('#epochs tr[data-epoch]', (rows) => rows
      .map((row) => ({ epoch: Number(row.dataset.epoch), samplesPerSec: Number(row.dataset.samplesPerSec) }))
      .sort((a, b) => a.epoch - b.epoch));
    const ran = await page.$eval('#train-device', (p) => p.dataset.device);
    return { engine: 'hearth-page', device: ran, epochs: perEpoch };
  } finally {
    await page.close();
    app.close();
  }
}
console.log(JSON.stringify(results, null, 2));
