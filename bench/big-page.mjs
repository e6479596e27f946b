// Big data in the page (issue 17): a generated, seeded CSV of ROWS rows × 50 columns (an index
// column, 40 numeric with 1% missing, 5 integer codes, 3 categories with missing cells, a binary
// label) through the real page: profile, prepare (target "label"), train one CPU epoch. While it
// runs, the renderer processes' memory is sampled from /proc every 100 ms (the page and its
// dedicated workers live in the tab's renderer; see rendererBytes) and the UI thread's long
// tasks are recorded with a PerformanceObserver. Then a sparse file over the page's 512 MB limit is dropped: the time
// to the one-sentence message and the long tasks meanwhile.
// Usage: node bench/big-page.mjs DIST [ROWS]   (writes /tmp/hearth-big-ROWS.csv once)
import { createWriteStream, existsSync, openSync, closeSync, ftruncateSync, readFileSync, readdirSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { launch, serve } = await import(join(here, '..', 'tests', 'e2e', 'harness.mjs'));
const { trainInPage } = await import(join(here, 'train-in-page.mjs'));
const [dist, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 1_000_000);
const csv = `/tmp/hearth-big-${rows}.csv`;
if (!existsSync(csv)) await writeBigCsv(csv, rows);
const fileBytes = statSync(csv).size;

/** 50 columns: id, x0..x39, n0..n4, c0..c2, label (seeded 32-bit LCG, written in 4 MB pieces). */
async function writeBigCsv(path, count) {
  let state = 17;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const normal = () => uniform() + uniform() + uniform() - 1.5;
  const levels = [['red', 'green', 'blue', 'grey'], ['north', 'south', 'east', 'west', 'centre'], ['a', 'b', 'c']];
  const out = createWriteStream(path);
  const write = (text) => new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  const header = ['id', ...Array.from({ length: 40 }, (_, j) => `x${j}`), ...Array.from({ length: 5 }, (_, j) => `n${j}`), 'c0', 'c1', 'c2', 'label'];
  let piece = header.join(',') + '\n';
  for (let r = 0; r < count; r++) {
    const x = Array.from({ length: 40 }, normal);
    const codes = Array.from({ length: 5 }, () => Math.floor(uniform() * 1000));
    const cats = levels.map((l) => (uniform() < 0.02 ? '' : l[Math.floor(uniform() * l.length)]));
    const score = x[0] - x[1] + 0.5 * x[2] + (cats[0] === 'red' ? 0.4 : 0) + 0.3 * normal();
    const cells = x.map((v) => (uniform() < 0.01 ? '' : v.toFixed(4)));
    piece += `${r},${cells.join(',')},${codes.join(',')},${cats.join(',')},${score > 0 ? 'yes' : 'no'}\n`;
    if (piece.length > 4_000_000) { await write(piece); piece = ''; }
  }
  await write(piece);
  await new Promise((resolve) => out.end(resolve));
}

/**
 * The memory of Chromium's renderer processes (the tab, with its dedicated workers): the sum
 * of their proportional set sizes (each shared page counted once across them, which a sum of
 * resident sizes counts once per process: ~300 MB of Chromium's own code and data before the
 * page has loaded anything), and the sum of their resident sizes as the earlier runs measured.
 */
function rendererBytes() {
  let pss = 0;
  let rss = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = (field) => Number(rollup.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
      pss += kb('Pss');
      rss += kb('Rss');
    } catch { /* the process ended */ }
  }
  return { pss, rss };
}

const watchLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    // When (ms since the epoch) and how long, to place each against the steps' times.
    for (const entry of list.getEntries()) {
      window.__longTasks.push([performance.timeOrigin + entry.startTime, Math.round(entry.duration)]);
    }
  }).observe({ type: 'longtask', buffered: true });
};

const server = await serve(dist);
const browser = await launch();
const result = { rows, columns: 50, file_mb: +(fileBytes / 1e6).toFixed(1) };
try {
  const page = await browser.newPage();
  await page.addInitScript(watchLongTasks);
  const baseline = rendererBytes();
  const peak = { pss: 0, rss: 0 };
  const started = Date.now();
  const timeline = [];
  const sampler = setInterval(() => {
    const bytes = rendererBytes();
    peak.pss = Math.max(peak.pss, bytes.pss);
    peak.rss = Math.max(peak.rss, bytes.rss);
    timeline.push([(Date.now() - started) / 1000, bytes.pss]);
  }, 100);
  const marks = {};
  await trainInPage(page, server.url, csv, 'cpu', 1, async () => {
    marks.ready_to_train_s = (Date.now() - started) / 1000;
  }, async () => {
    marks.profile_shown_s = (Date.now() - started) / 1000;
  });
  clearInterval(sampler);
  marks.trained_s = (Date.now() - started) / 1000;
  const epoch = await page.$eval('#epochs tr[data-epoch]', (row) => ({ samplesPerSec: Number(row.dataset.samplesPerSec) }));
  const longTasks = await page.evaluate(() => window.__longTasks);
  await page.click('#step-data');
  result.profile_ms = await page.$eval('#profile', (e) => Number(e.dataset.millis));
  // The data worker's wasm memory once the file was profiled (a wasm heap never shrinks).
  result.data_worker_wasm_mb = await page.$eval('#profile', (e) => Math.round(Number(e.dataset.memory) / 1e6));
  Object.assign(result, marks, {
    epoch_samples_per_s: epoch.samplesPerSec,
    // Before the page loads (a blank tab), then the most while it ran.
    blank_tab_pss_mb: +(baseline.pss / 1e6).toFixed(0),
    peak_pss_mb: +(peak.pss / 1e6).toFixed(0),
    peak_over_file: +(peak.pss / fileBytes).toFixed(2),
    peak_growth_over_file: +((peak.pss - baseline.pss) / fileBytes).toFixed(2),
    peak_rss_sum_mb: +(peak.rss / 1e6).toFixed(0),
    peak_rss_sum_over_file: +(peak.rss / fileBytes).toFixed(2),
    // The tab's memory (PSS) over time, the most in each second (MB): where it grows.
    memory_by_second_mb: timeline.reduce((seconds, [t, bytes]) => {
      seconds[Math.floor(t)] = Math.max(seconds[Math.floor(t)] ?? 0, Math.round(bytes / 1e6));
      return seconds;
    }, []),
    long_tasks_over_50ms: longTasks.length,
    longest_task_ms: Math.max(0, ...longTasks.map(([, ms]) => ms)),
    // Those over 100 ms: [seconds since the bench opened the page, ms].
    long_tasks_over_100ms: longTasks
      .filter(([, ms]) => ms > 100)
      .map(([at, ms]) => [+((at - started) / 1000).toFixed(1), ms]),
  });
  await page.close();

  // Over the limit: a sparse 600 MB file (no disk used); Playwright hands Chromium the path.
  const huge = '/tmp/hearth-over-limit.csv';
  const fd = openSync(huge, 'w');
  writeSync(fd, 'a,b\n1,2\n');
  ftruncateSync(fd, 600 * 1024 * 1024);
  closeSync(fd);
  const over = await browser.newPage();
  await over.addInitScript(watchLongTasks);
  await over.goto(server.url);
  await over.waitForSelector('#profile[data-source]', { timeout: 120_000 });
  const dropped = Date.now();
  await over.setInputFiles('#file-input', huge);
  const message = await (await over.waitForSelector('#error', { timeout: 120_000 })).textContent();
  const overTasks = await over.evaluate(() => window.__longTasks);
  result.over_limit = { message, ms: Date.now() - dropped, longest_task_ms: Math.max(0, ...overTasks.map(([, ms]) => ms)) };
  await over.close();
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(result, null, 2));
