// The page's Auto against the CLI and FLAML (issue 12: "Hearth automl (page and CLI) against
// FLAML"). For each data set named on the command line, drives the real built page (dist/) in
// headless Chromium as a person would: loads train.csv through the file input, picks the target
// (and the task when the page's guess differs from the manifest's), sets the split to
// Train 85 / Validation 15 / Test 0 (the CLI's bench/automl/prep.json), runs Auto for the
// budget, exports static int8 ONNX, downloads it and scores it on test.csv with bench.py's own
// score_onnx (so page and CLI are scored by the same code on the same rows).
//
// Usage (from the repository root, after bench/automl/run.sh made the data and the venv):
//   source scripts/env.sh && export CHROMIUM_FLAGS
//   node bench/automl/page.mjs [SET,SET ...]        (default breast_cancer,titanic,cars,carseats)
// Environment: PAGE_BUDGET_S (Auto's wall-clock budget, default 20), HEARTH_DIST (default dist/),
// CHROMIUM (default /usr/bin/chromium).
// Writes one JSON line per set to stdout, then a markdown table to stdout and
// bench/out/automl/page.md; the downloaded ONNX files go to bench/out/automl/page/<set>/.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, recordErrors, serve } from '../../tests/e2e/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = process.env.HEARTH_DIST ?? join(root, 'dist');
const out = join(root, 'bench', 'out', 'automl');
const dataDir = join(out, 'data');
const python = join(here, '.venv', 'bin', 'python');
const budget = Number(process.env.PAGE_BUDGET_S ?? '20');
const LOAD = 120_000; // loading the wasm and profiling a table on a loaded 2-core machine
const TASK_LABELS = { binary: 'binary classification', multiclass: 'multiclass classification', regression: 'regression' };
const DEFAULT_SETS = 'breast_cancer,titanic,cars,carseats';

if (!Number.isFinite(budget) || budget < 1) {
  console.error(`PAGE_BUDGET_S: "${process.env.PAGE_BUDGET_S}" is not a number of seconds of at least 1.`);
  process.exit(2);
}

/** Rejects after `ms` with a sentence naming what timed out, so one stuck set cannot stall the run. */
function deadline(ms, what) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** bench.py's scorer on the downloaded file: the same contract and metrics as the CLI's rows. */
function scoreOnnx(onnxPath, testCsv, target, task) {
  const code = 'import json, sys; sys.path.insert(0, sys.argv[1]); from bench import score_onnx; '
    + 'print(json.dumps(score_onnx(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]), default=float))';
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', code, here, onnxPath, testCsv, target, task], { timeout: 120_000, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`score_onnx failed: ${(stderr || String(error)).trim().split('\n').slice(-1)[0]}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').slice(-1)[0]));
        } catch {
          reject(new Error(`score_onnx printed no JSON: ${stdout.slice(-200)}`));
        }
      });
  });
}

/** The first error the page shows in `selectors`, or null. */
async function shownError(page, selectors) {
  for (const selector of selectors) {
    const element = await page.$(selector);
    if (element) return `${selector}: ${(await element.textContent()).trim()}`;
  }
  return null;
}

/** Waits for `selector`, failing early with the page's own sentence when an error appears. */
async function waitOrError(page, selector, errors, timeout) {
  const found = await page.waitForSelector([selector, ...errors].join(', '), { timeout });
  const error = await shownError(page, errors);
  if (error && !(await page.$(selector))) throw new Error(error);
  return found;
}

/** Sets a Prepare split field as a person would (type, then commit), then waits for the prep. */
async function setPercent(page, id, value) {
  await page.fill(id, String(value));
  await page.dispatchEvent(id, 'change');
  // Yew re-renders with the new config before the next field's handler captures it.
  await page.waitForFunction(([selector, wanted]) => document.querySelector(selector)?.value === wanted,
    [id, String(value)], { timeout: LOAD });
}

async function runSet(browser, server, entry, record) {
  const page = await browser.newPage();
  // Kept so that a set which runs past its deadline is closed before the next one starts.
  Object.defineProperty(record, 'page', { value: page, enumerable: false, configurable: true });
  const pageErrors = [];
  recordErrors(page, pageErrors);
  record.page_errors = pageErrors;
  try {
    await page.goto(server.url);
    // The page opens on its sample; wait for it so the upload is not raced by the first profile.
    await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LOAD });
    const train = join(dataDir, entry.files.train);
    await page.setInputFiles('#file-input', train);
    await waitOrError(page, '#profile[data-source="train.csv"]:not(.stale)', ['#error'], LOAD);
    if (await page.$eval('#target-select', (s) => s.value) !== entry.target) {
      await page.selectOption('#target-select', entry.target);
    }
    const task = TASK_LABELS[entry.task];
    const pageTask = await page.$eval('#task-select', (s) => s.value);
    record.page_suggested_task = pageTask;
    if (pageTask !== task) {
      record.task_forced = `the page suggested ${pageTask}, the set is ${task}`;
      await page.selectOption('#task-select', task);
    }
    const problem = await shownError(page, ['#target-problem']);
    if (problem) throw new Error(problem);

    await page.click('#step-prepare');
    await waitOrError(page, '#prep:not(.stale)', ['#prep-error'], LOAD);
    // Test first, so the parts never ask for more than 100% on the way (the page would say so).
    await setPercent(page, '#test-input', 0);
    await setPercent(page, '#valid-input', 15);
    await setPercent(page, '#train-input', 85);
    // The parts cannot add up to 100% after every single edit, so the page shows an error on the
    // way; only the state after the last edit counts: fresh prep, no test rows, no error.
    try {
      await page.waitForFunction(() => !document.querySelector('#prep-error')
        && document.querySelector('#prep:not(.stale)')?.dataset.test === '0', null, { timeout: LOAD });
    } catch (error) {
      throw new Error(await shownError(page, ['#prep-error']) ?? `the split 85/15/0: ${error.message.split('\n')[0]}`);
    }
    record.split = await page.$eval('#split', (p) => p.textContent.trim());

    await page.click('#step-search');
    await page.fill('#wall-input', String(budget));
    await page.dispatchEvent('#wall-input', 'change');
    const started = Date.now();
    await page.click('#auto-button');
    // The search ends on the Train step with the best trial refitted; errors end it early.
    await page.waitForFunction(() => /refitted on the training and validation rows/
      .test(document.querySelector('#trained')?.textContent ?? '')
      || document.querySelector('#search-error, #study-error, #train-error'),
    null, { timeout: (budget + 120) * 1000 });
    const failed = await shownError(page, ['#search-error', '#study-error', '#train-error']);
    if (failed) throw new Error(failed);
    record.page_wall_s = (Date.now() - started) / 1000;
    record.trained = (await page.$eval('#trained', (e) => e.textContent)).trim().slice(0, 300);
    await page.click('#step-search');
    record.study = await page.$eval('#study', (e) => ({
      trials: Number(e.dataset.trials), complete: Number(e.dataset.complete),
      status: e.querySelector('#study-status')?.textContent.trim() ?? '',
    })).catch(() => null);

    await page.click('#step-export');
    // Trees alone, one model or an ensemble of them, are exported as they are (float32; the
    // step offers no form to choose), as the CLI run's headline takes them.
    const treesOnly = (await page.$('#quantize-select')) === null;
    if (treesOnly) {
      record.trees_fp32 = true;
    } else {
      await page.selectOption('#quantize-select', 'static');
    }
    await page.click('#export-button');
    await waitOrError(page, treesOnly ? '#exported' : '#exported[data-form="static-int8"]',
      ['#export-error', '#export-field-error'], LOAD);
    const folder = join(out, 'page', entry.name);
    await mkdir(folder, { recursive: true });
    const onnxPath = join(folder, treesOnly ? 'page_fp32.onnx' : 'page_int8.onnx');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: LOAD }), page.click('#download-onnx')]);
    await download.saveAs(onnxPath);
    record.onnx = onnxPath;

    const metrics = await scoreOnnx(onnxPath, join(dataDir, entry.files.test), entry.target, entry.task);
    record.page_int8 = metrics;
    record.page_int8_primary = metrics.primary ?? null;
  } finally {
    await page.close().catch(() => {});
  }
}

function fmt(value, digits = 1) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

async function main() {
  const wanted = (process.argv.slice(2).join(',') || DEFAULT_SETS).split(',').filter(Boolean);
  const manifest = JSON.parse(await readFile(join(dataDir, 'manifest.json'), 'utf8'));
  const entries = Object.fromEntries(manifest.datasets.map((d) => [d.name, d]));
  const unknown = wanted.filter((n) => !entries[n]);
  if (unknown.length) {
    console.error(`sets ${unknown.join(', ')} are not in ${dataDir}/manifest.json; known: ${Object.keys(entries).join(', ')}`);
    process.exit(2);
  }
  let cli = {};
  try {
    cli = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).datasets ?? {};
  } catch (error) {
    console.error(`bench/out/automl/results.json could not be read (${error.message}); the CLI and FLAML columns stay empty.`);
  }
  const server = await serve(dist);
  const browser = await launch();
  const rows = [];
  try {
    for (const name of wanted) {
      const entry = entries[name];
      const systems = cli[name]?.systems ?? {};
      const record = {
        set: name, task: entry.task, budget_s: budget,
        page_int8_primary: null, page_wall_s: null,
        cli_int8_primary: systems.hearth?.primary ?? null, // int8, or float32 for trees alone
        cli_wall_s: systems.hearth?.wall_s ?? null,
        flaml_primary: systems.flaml?.primary ?? null,
      };
      console.error(`== ${name} (${entry.task}, ${entry.train_rows} training rows), Auto ${budget} s`);
      const limit = deadline((budget + 120 + 2 * LOAD / 1000) * 1000, `${name}: the page run`);
      try {
        await Promise.race([runSet(browser, server, entry, record), limit.promise]);
      } catch (error) {
        record.error = String(error.message ?? error).split('\n')[0];
        await record.page?.close().catch(() => {});
      } finally {
        limit.clear();
      }
      if (Array.isArray(record.page_errors) && record.page_errors.length === 0) delete record.page_errors;
      console.log(JSON.stringify(record));
      rows.push(record);
    }
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
  const lines = [
    `Hearth's page Auto (wall-clock budget ${budget} s, split 85/15/0, static int8 ONNX from the Export step) `
      + 'against the CLI (`hearth automl` + `hearth export --quantize static`, results.json) and FLAML. '
      + 'Points: accuracy × 100 (classification) or R² × 100 (regression) on the 20 % test split, scored by bench.py\'s score_onnx.',
    '',
    '| set | task | page int8 | CLI int8 | FLAML | page − CLI | page s | CLI s | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => {
      const gap = typeof r.page_int8_primary === 'number' && typeof r.cli_int8_primary === 'number'
        ? (r.page_int8_primary - r.cli_int8_primary).toFixed(1) : '—';
      const notes = [r.error, r.task_forced, r.trees_fp32 ? 'trees alone: float32' : null, r.page_int8?.contract_issue,
        r.page_errors?.length ? `page errors: ${r.page_errors.join(' | ').slice(0, 200)}` : null].filter(Boolean);
      return `| ${r.set} | ${r.task} | ${fmt(r.page_int8_primary)} | ${fmt(r.cli_int8_primary)} | ${fmt(r.flaml_primary)} | `
        + `${gap} | ${fmt(r.page_wall_s)} | ${fmt(r.cli_wall_s)} | ${notes.join('; ').replaceAll('|', '\\|')} |`;
    }),
    '',
    `Run ${new Date().toISOString()}.`,
  ];
  const table = `${lines.join('\n')}\n`;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'page.md'), table);
  console.log(table);
}

main().catch((error) => {
  console.error(String(error.stack ?? error));
  process.exit(1);
});
