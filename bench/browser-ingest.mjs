// Browser half of the ingest benchmark: the same file, in the same headless Chromium, loaded
// through Hearth's page (worker: read + parse + profile) and parsed by PapaParse in a worker.
// Usage: node bench/browser-ingest.mjs FILE.csv DIST_DIR [runs]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const e2e = join(here, '..', 'tests', 'e2e');
const { launch, serve } = await import(join(e2e, 'harness.mjs'));
const require = createRequire(join(here, 'package.json'));
const papa = require.resolve('papaparse/papaparse.min.js');

const [file, dist, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const megabytes = statSync(file).size / 1e6;
const server = await serve(dist, {
  '/bench/papa.html': join(here, 'papa.html'),
  '/bench/papa-worker.js': join(here, 'papa-worker.js'),
  '/bench/papaparse.min.js': papa,
});
const browser = await launch();
const results = { hearth: [], papa: [], papa_arrays: [], memory: [] };
try {
  for (let run = 0; run < runs; run++) {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: 120000 });
    await page.setInputFiles('#file-input', file);
    const name = file.split('/').pop();
    await page.waitForSelector(`#profile[data-source="${name}"]:not(.stale)`, { timeout: 600000 });
    const { millis, memory } = await page.$eval('#profile', (e) => ({ millis: Number(e.dataset.millis), memory: Number(e.dataset.memory) }));
    results.hearth.push(millis);
    results.memory.push(memory);
    await page.close();

    const bench = await browser.newPage();
    await bench.goto(server.url + 'bench/papa.html');
    await bench.setInputFiles('#file', file);
    // Rows as objects keyed by the header (what most apps use), and as plain arrays (faster).
    for (const [header, key] of [[true, 'papa'], [false, 'papa_arrays']]) {
      const papaResult = await bench.evaluate((header) => window.runPapa(4 * 1024 * 1024, header), header);
      if (papaResult.error) throw new Error(papaResult.error);
      results[key].push(papaResult.millis);
    }
    await bench.close();
  }
} finally {
  await browser.close();
  server.close();
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const hearth = median(results.hearth);
const papaMs = median(results.papa);
const papaArraysMs = median(results.papa_arrays);
console.log(JSON.stringify({
  megabytes, runs,
  hearth_ms: hearth, hearth_mb_s: megabytes / (hearth / 1000),
  papaparse_ms: papaMs, papaparse_mb_s: megabytes / (papaMs / 1000),
  ratio: papaMs / hearth,
  papaparse_arrays_ms: papaArraysMs, papaparse_arrays_mb_s: megabytes / (papaArraysMs / 1000),
  ratio_arrays: papaArraysMs / hearth,
  worker_wasm_memory_mb: Math.max(...results.memory) / 1e6,
  all: results,
}, null, 2));
