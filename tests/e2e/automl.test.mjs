// End-to-end: the Search step's Auto button as a person uses it — a time budget spent in the
// pool of workers, small data scored by 5-fold cross-validation, and the best trial refitted on
// the training and validation rows to become the model; and the Prepare step's target scale.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { checkExportedOnnx, launch, recordErrors, serve } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 120_000;

let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage();
  recordErrors(page, pageErrors);
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('Auto spends its time budget, cross-validates small data and refits the best trial', async () => {
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  await page.click('#step-search');
  await page.fill('#wall-input', '6');
  await page.dispatchEvent('#wall-input', 'change');
  // The search optimises the metric the user picks.
  await page.selectOption('#metric-select', 'balanced_accuracy');
  const started = Date.now();
  await page.click('#auto-button');
  await page.waitForSelector('#study[data-running="true"]', { timeout: LONG });
  // When the search ends, the page moves to the Train step, where the refitted model appears.
  await page.waitForFunction(() => /refitted on the training and validation rows/
    .test(document.querySelector('#trained')?.textContent ?? ''), null, { timeout: LONG });
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds >= 6, `the search stopped after ${seconds} s, before its 6 s budget`);
  const trained = await page.$eval('#trained', (element) => element.textContent);
  await page.click('#step-search');
  const study = await page.$eval('#study', (element) => ({
    running: element.dataset.running,
    trials: Number(element.dataset.trials),
    complete: Number(element.dataset.complete),
    best: element.querySelector('#leaderboard tr.best td[title]')?.title ?? '',
    bestNumber: element.querySelector('#leaderboard tr.best')?.dataset.trial,
  }));
  assert.equal(study.running, 'false');
  assert.match(await page.$eval('#study-status', (element) => element.textContent), /best: trial \d+ \(valid balanced accuracy/);
  assert.ok(study.complete >= 1, JSON.stringify(study));
  // 344 rows: every trial is scored on 5 folds of the non-test rows.
  assert.match(study.best, /mean of 5 folds/, JSON.stringify(study));
  // The ensemble of the best trials is one more candidate; the model on the Train step is it
  // when it beats the best trial on the same rows, else the best trial, refitted.
  const wins = await page.$eval('#ensemble-row', (row) => row.dataset.wins).catch(() => 'false');
  if (wins === 'true') {
    assert.match(trained, /an ensemble of trials [\d, ]+ of the search, refitted on the training and validation rows/);
  } else {
    assert.match(trained, new RegExp(`trial ${study.bestNumber} of the search, refitted on the training and validation rows`));
  }
  await page.click('#step-train');
  const accuracy = await page.$eval('#test-metrics tr[data-metric="accuracy"] td', (td) => Number(td.textContent));
  assert.ok(accuracy > 0.85, `test accuracy ${accuracy}`);
  assert.deepEqual(pageErrors, []);
});

test('Auto offers the blend of its best trials as one more candidate, and ships the better', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'iris.csv');
  await page.waitForSelector('#profile[data-source="iris.csv"]:not(.stale)', { timeout: LONG });
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  await page.click('#step-search');
  // A work budget (rows × epochs), so that the trials run to the same end on any machine.
  await page.fill('#wall-input', '');
  await page.dispatchEvent('#wall-input', 'change');
  await page.fill('#work-input', '150000');
  await page.dispatchEvent('#work-input', 'change');
  await page.selectOption('#metric-select', 'monitor');
  await page.click('#auto-button');
  await page.waitForSelector('#study[data-running="true"]', { timeout: LONG });
  await page.waitForFunction(() => /refitted on the training and validation rows/
    .test(document.querySelector('#trained')?.textContent ?? ''), null, { timeout: 4 * LONG });
  const trained = await page.$eval('#trained', (e) => e.textContent);
  await page.click('#step-search');
  const complete = await page.$eval('#study', (e) => Number(e.dataset.complete));
  assert.ok(complete >= 2, `${complete} complete trials`);
  const row = await page.waitForSelector('#ensemble-row', { timeout: LONG });
  const ensemble = await row.evaluate((tr) => ({ wins: tr.dataset.wins, text: tr.textContent }));
  assert.match(ensemble.text, /trial \d+ ×[01]\.\d+/);
  if (ensemble.wins === 'true') {
    assert.match(trained, /an ensemble of trials [\d, ]+ of the search, refitted/);
  } else {
    assert.match(trained, /trial \d+ of the search, refitted/);
  }
  assert.deepEqual(pageErrors, []);
});

test('an ensemble .hearth file loads, exports as one ONNX graph, and onnxruntime agrees', async () => {
  // Two models the CLI trained on the same data, blended by hand as the file format says
  // (tests/onnx/check.py does the same): what a user brings back to the page.
  const hearth = process.env.HEARTH_BIN;
  assert.ok(hearth, 'run through scripts/check, which sets HEARTH_BIN');
  const { execFileSync } = await import('node:child_process');
  const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const work = await mkdtemp(join(tmpdir(), 'hearth-ensemble-'));
  const csv = join(here, '..', '..', 'static', 'iris.csv');
  const models = [];
  for (const [model, extra] of [['mlp', ['--hidden', '16']], ['gbdt', []]]) {
    const out = join(work, `${model}.hearth`);
    execFileSync(hearth, ['train', csv, '--target', 'species', '--model', model, ...extra,
      '--epochs', '8', '--seed', '3', '--device', 'cpu', '--out', out]);
    models.push(JSON.parse(await readFile(out, 'utf8')));
  }
  const blend = { ...models[0] };
  delete blend.weights;
  blend.ensemble = models.map((m, i) => ({
    weight: i === 0 ? 0.6 : 0.4, model: m.config.model, ...(m.weights ? { weights: m.weights } : { booster: m.booster }),
  }));
  const file = join(work, 'blend.hearth');
  await writeFile(file, JSON.stringify(blend));
  await page.click('#step-train');
  await page.setInputFiles('#model-file-input', file);
  await page.waitForFunction(() => /loaded from blend\.hearth/.test(document.querySelector('#trained')?.textContent ?? '')
    || document.querySelector('[role="alert"]'), null, { timeout: LONG });
  const shown = await page.$eval('#trained', (e) => e.textContent);
  assert.match(shown, /an ensemble of mlp 16 relu ×0\.60, gbdt 31 leaves lr 0\.1 ×0\.40/, shown);
  await page.click('#step-export');
  await page.waitForSelector('#ensemble-export-note');
  assert.equal(await page.$$eval('#prune-input', (e) => e.length), 0, 'no pruning for an ensemble');
  await page.selectOption('#quantize-select', 'dynamic');
  await page.click('#export-button');
  await page.waitForSelector('#exported[data-form="dynamic-int8"]', { timeout: LONG });
  // Its network takes every form (static int8 only with its training rows loaded).
  const forms = await page.$$eval('#export-report tr[data-form]', (rows) => rows.map((r) => r.dataset.form));
  for (const form of ['fp32', 'fp16', 'dynamic-int8']) assert.ok(forms.includes(form), JSON.stringify(forms));
  assert.match(await page.$eval('#export-report caption', (c) => c.textContent), /ensemble of 2 models/);
  await checkExportedOnnx(page, file, csv, 'dynamic');
  assert.deepEqual(pageErrors, []);
});

test('a right-skewed target can be learned on a log scale, named in the plan and notes', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'diabetes.csv');
  await page.waitForSelector('#profile[data-source="diabetes.csv"]:not(.stale)', { timeout: LONG });
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  // By default the target is learned as it is (and diabetes is only mildly skewed, 0.4).
  let notes = await page.$$eval('#prep .notes li', (items) => items.map((li) => li.textContent));
  assert.ok(!notes.some((note) => note.includes('log(1 + progression)')), notes.join(' | '));
  await page.selectOption('#target-scale-select', 'log');
  await page.waitForFunction(() => [...document.querySelectorAll('#prep:not(.stale) .notes li')]
    .some((li) => li.textContent.includes('learned as log(1 + progression)')), null, { timeout: LONG });
  notes = await page.$$eval('#prep .notes li', (items) => items.map((li) => li.textContent));
  assert.match(notes.join(' | '), /as the settings ask/);
  assert.deepEqual(pageErrors, []);
});
