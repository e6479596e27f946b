// What the page writes to IndexedDB while a study runs: `node bench/study-saves.mjs DIST [TRIALS]`
// runs a search of TRIALS trials (default 80; the default space, TPE, one worker) on the
// bundled penguins sample in the built app at DIST, counting every `put` (records, characters)
// and the time spent in the page's `put` calls. BENCHMARKS.md, "Hyperparameter search".
import { launch, serve } from '../tests/e2e/harness.mjs';

const [dist, trialsArg] = process.argv.slice(2);
if (!dist) {
  console.error('usage: node bench/study-saves.mjs DIST [TRIALS]');
  process.exit(2);
}
const trials = Number(trialsArg ?? 80);
const server = await serve(dist);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const counts = { puts: 0, chars: 0, largest: 0, ms: 0 };
    window.__puts = counts;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      const started = performance.now();
      const length = typeof value === 'string' ? value.length : 0;
      counts.puts += 1;
      counts.chars += length;
      counts.largest = Math.max(counts.largest, length);
      try {
        return put.call(this, value, key);
      } finally {
        counts.ms += performance.now() - started;
      }
    };
  });
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: 120_000 });
  await page.click('#step-search');
  await page.fill('#trials-input', String(trials));
  await page.dispatchEvent('#trials-input', 'change');
  const started = Date.now();
  await page.click('#search-button');
  await page.waitForSelector(`#study[data-running="false"][data-trials="${trials}"]`, { timeout: 600_000 });
  await page.waitForFunction((n) => Number(document.querySelector('#study')?.dataset.saved ?? -1) >= 1, trials);
  const counts = await page.evaluate(() => window.__puts);
  const study = await page.$eval('#study', (s) => ({ ...s.dataset }));
  console.log(JSON.stringify({ trials, seconds: (Date.now() - started) / 1000, study, ...counts,
    mb: +(counts.chars / 1e6).toFixed(2), largest_kb: +(counts.largest / 1e3).toFixed(1) }));
} finally {
  await browser.close();
  server.close();
}
