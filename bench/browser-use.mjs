// Browser half of the batch prediction benchmark (bench/infer/run.sh): the ONNX files and the
// CSV that bench.py made and timed in onnxruntime, opened in the built page's Use step and
// answered there by tract in the worker, in Debian's headless Chromium; then the predict form's
// answer time after each keystroke. Prints Markdown for BENCHMARKS.md.
// Usage: node bench/browser-use.mjs DIST RESULTS_JSON
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', 'tests', 'e2e', 'harness.mjs'));
const [dist, resultsPath] = process.argv.slice(2);
const { rows, data, models } = JSON.parse(await readFile(resultsPath, 'utf8'));
const server = await serve(dist);
const browser = await launch();
const version = browser.version();
const lines = [];
const keystrokes = [];
try {
  for (const [name, model] of Object.entries(models)) {
    const page = await browser.newPage();
    await page.goto(server.url + '#/use');
    await page.waitForSelector('#onnx-input:not([disabled])', { timeout: 120_000 });
    await page.setInputFiles('#onnx-input', model.file);
    await page.waitForSelector('#use-answer', { timeout: 120_000 });
    // The best of three batches, as bench.py takes the best of three runs.
    let best = null;
    for (let run = 0; run < 3; run++) {
      const previous = await page.$eval('#batch-result', (e) => e.dataset.token).catch(() => null);
      const started = Date.now();
      await page.setInputFiles('#batch-input', data);
      await page.waitForFunction((p) => {
        const result = document.querySelector('#batch-result');
        return result && result.dataset.token !== p;
      }, previous, { timeout: 600_000 });
      const wall = (Date.now() - started) / 1000;
      const modelRps = await page.$eval('#batch-result', (e) => Number(e.dataset.rowsPerSecond));
      if (!best || modelRps > best.modelRps) best = { modelRps, wallRps: rows / wall };
    }
    lines.push(`| ${name} | ${model.kb.toFixed(0)} kB | ${fmt(best.modelRps)} | ${fmt(model.ort_model_rps)} | `
      + `${(best.modelRps / model.ort_model_rps).toFixed(2)}× | ${fmt(best.wallRps)} | ${fmt(model.ort_wall_rps)} | `
      + `${(best.wallRps / model.ort_wall_rps).toFixed(2)}× |`);
    // Keystrokes: type digits into the first number field; the page times each edit to its answer.
    const field = page.locator('.use-field .number-field input.use-input').first();
    const latencies = [];
    for (let i = 0; i < 20; i++) {
      const before = await page.$eval('#use-timing', (p) => p.dataset.latencyMs + '|' + p.dataset.modelMs);
      await field.fill(String(0.1 * i + 0.05));
      await page.waitForFunction((b) => {
        const p = document.querySelector('#use-timing');
        return p && p.dataset.latencyMs !== '' && p.dataset.latencyMs + '|' + p.dataset.modelMs !== b;
      }, before, { timeout: 60_000 });
      latencies.push(await page.$eval('#use-timing', (p) => Number(p.dataset.latencyMs)));
    }
    latencies.sort((a, b) => a - b);
    keystrokes.push(`| ${name} | ${latencies[10].toFixed(1)} ms | ${latencies[18].toFixed(1)} ms | ${latencies[19].toFixed(1)} ms |`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

function fmt(x) {
  return Math.round(x).toLocaleString('en-US');
}

console.log(`\nThe same files and rows in the page's Use step (tract in the worker, headless Chromium ${version}):\n`);
console.log('| model | file | page rows/s (model) | onnxruntime rows/s (model) | ratio | page rows/s (file to CSV) | onnxruntime rows/s (CSV to CSV) | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const line of lines) console.log(line);
console.log('\nThe predict form: milliseconds from an edit to its answer on the page (20 edits):\n');
console.log('| model | median | 95th percentile | slowest |');
console.log('|---|---:|---:|---:|');
for (const line of keystrokes) console.log(line);
