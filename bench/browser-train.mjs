// Browser half of the training benchmark: the same MLP (20 → 64 → 64 → 2, batch 256, Adam) in
// the same headless Chromium, trained by TF.js on its webgpu and wasm backends.
// Usage: node bench/browser-train.mjs [steps]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', 'tests', 'e2e', 'harness.mjs'));
const steps = Number(process.argv[2] ?? 20);
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
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(results, null, 2));
