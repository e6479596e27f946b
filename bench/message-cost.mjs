// What a message costs to cross into and out of each worker (BENCHMARKS.md, issue 15's fourth
// download-size part): a request holding N strings (each a JS value the worker's wasm reads
// through serde-wasm-bindgen) posted to a freshly started worker of each kind, timed on the
// page's clock until its answer arrives. The compute workers get `BackgroundRows` naming N
// columns, which they answer at once, holding no data, with the same N names and no rows (so N
// strings cross in and N back out); the Use step's worker `Answer` with N fields, which it
// refuses in one sentence, holding no model (N strings in). The difference between N = 20,000
// and N = 0, divided by N, is the cost of one value.
//
//   (cd tests/e2e && npm ci)   # the harness's Playwright
//   node bench/message-cost.mjs [dist]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, serve } from '../tests/e2e/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.argv[2] ?? join(here, '..', 'dist');
const server = await serve(dist);
const browser = await launch();
const page = await browser.newPage();
await page.goto(server.url);
await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: 120_000 });

const workers = {
  'hearth-worker': 'BackgroundRows',
  'hearth-gpu-worker': 'BackgroundRows',
  'hearth-use-worker': 'Answer',
};
console.log('| worker | 0 strings (ms) | 20,000 strings (ms) | per value (µs) |');
console.log('|---|---:|---:|---:|');
for (const [name, kind] of Object.entries(workers)) {
  const timings = await page.evaluate(async ([name, kind]) => {
    const url = document.querySelector(`meta[name="${name}"]`).content;
    const worker = new Worker(url, { name: 'message-cost' });
    let waiting = null;
    worker.onmessage = () => waiting?.();
    const reply = () => new Promise((resolve) => { waiting = resolve; });
    await reply(); // WorkerStarted
    const time = async (strings) => {
      const message = kind === 'Answer'
        ? { Answer: { id: 1, row: strings } }
        : { BackgroundRows: { columns: strings, rows: 1, seed: 1 } };
      const start = performance.now();
      worker.postMessage({ message });
      await reply();
      return performance.now() - start;
    };
    const many = Array.from({ length: 20000 }, (_, i) => `column_${i}`);
    const best = async (strings) => Math.min(await time(strings), await time(strings), await time(strings));
    const none = await best([]);
    const all = await best(many);
    worker.terminate();
    return { none, all };
  }, [name, kind]);
  const perValue = (timings.all - timings.none) / 20000 * 1000;
  console.log(`| ${name} | ${timings.none.toFixed(1)} | ${timings.all.toFixed(1)} | ${perValue.toFixed(1)} |`);
}
await browser.close();
server.close();
