// End-to-end: step 6 · Use. The exported ONNX file answers in the page (tract in the worker):
// on every bundled dataset a whole CSV predicted in the page equals `hearth predict` of the
// page's own .hearth file (burn) to 1e-5, a static int8 file gives the same labels (on the
// classification samples), a typed row answers and explains itself, a shifted copy of the data
// is flagged as drift (chunk by chunk when dated) and an unshifted one is not, and bad input is
// named in one sentence while the step stays usable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch, recordErrors, serve } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const samples = join(here, '..', '..', 'static');
const LONG = 120_000;

let server, browser, page, work;
const pageErrors = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage({ acceptDownloads: true });
  recordErrors(page, pageErrors);
  // Loading another dataset while a model exists may ask first: go ahead.
  page.on('dialog', (dialog) => dialog.accept());
  work = await mkdtemp(join(tmpdir(), 'hearth-use-'));
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** RFC 4180 rows of `text` (quoted fields, doubled quotes). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** `hearth predict MODEL FILE` (burn for a .hearth file) as a table of rows by column name. */
async function hearthPredict(model, csv) {
  const hearth = process.env.HEARTH_BIN;
  assert.ok(hearth, 'run through scripts/check, which sets HEARTH_BIN');
  const stdout = await new Promise((resolve, reject) => {
    execFile(hearth, ['predict', model, csv, '--device', 'cpu'], { maxBuffer: 64 << 20 },
      (error, out, err) => (error ? reject(new Error(err || String(error))) : resolve(out)));
  });
  return table(stdout);
}

function table(text) {
  const [header, ...rows] = parseCsv(text).filter((row) => row.length > 1 || row[0] !== '');
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

async function loadSample(file) {
  if (await page.$(`#profile[data-source="${file}"]`) === null) {
    await page.click('#step-data');
    await page.selectOption('#sample-select', file);
  }
  await page.waitForSelector(`#profile[data-source="${file}"]:not(.stale)`, { timeout: LONG });
}

/** Trains `model` on the CPU and returns the downloaded .hearth file's path. */
async function trainModel(model, epochs) {
  await page.click('#step-train');
  await page.selectOption('#model-select', model);
  if (model !== 'gbdt') await page.selectOption('#device-select', 'cpu');
  await page.fill('#epochs-input', String(epochs));
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: LONG });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const path = join(work, `${Date.now()}.hearth`);
  await download.saveAs(path);
  return path;
}

/** Exports in `form` and opens the Use step on the new file (named after `file`'s stem). */
async function exportAndUse(file, form, label) {
  await page.click('#step-export');
  if (await page.$('#quantize-select')) await page.selectOption('#quantize-select', form);
  await page.click('#export-button');
  await page.waitForSelector(`#exported[data-form="${label}"]`, { timeout: LONG });
  await page.click('#step-use');
  const name = `${file.replace(/\.csv$/, '')}-${label}.onnx`;
  await page.waitForSelector(`#use-model[data-source="${name}"]`, { timeout: LONG });
  await page.waitForSelector('#use-answer', { timeout: LONG });
  await page.waitForSelector('#batch-input:not([disabled])', { timeout: LONG });
}

/** Predicts a CSV in the page and returns the downloaded predictions. */
async function predictInPage(csv) {
  const before = await page.$eval('#batch-result', (e) => e.dataset.token).catch(() => null);
  await page.setInputFiles('#batch-input', csv);
  await page.waitForFunction((previous) => {
    const result = document.querySelector('#batch-result');
    return result && result.dataset.token !== previous;
  }, before, { timeout: LONG });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-predictions')]);
  return table(await readFile(await download.path(), 'utf8'));
}

function compare(pageRows, cliRows, { labelsOnly = false } = {}) {
  assert.equal(pageRows.length, cliRows.length);
  const predicted = Object.keys(cliRows[0]).find((name) => name.startsWith('predicted_'));
  let worst = 0, differentLabels = 0;
  for (const [i, cli] of cliRows.entries()) {
    const shown = pageRows[i];
    for (const [name, value] of Object.entries(cli)) {
      const mine = shown[name];
      assert.notEqual(mine, undefined, `the page's CSV has no ${name}`);
      if (name === predicted && Number.isNaN(Number(value))) {
        if (mine !== value) differentLabels++;
      } else if (!labelsOnly) {
        const error = Math.abs(Number(mine) - Number(value)) / Math.max(1, Math.abs(Number(value)));
        worst = Math.max(worst, error);
      }
    }
  }
  return { worst, differentLabels };
}

for (const [file, model, epochs] of [['penguins.csv', 'mlp', 8], ['iris.csv', 'linear', 8], ['diabetes.csv', 'mlp', 8]]) {
  test(`${file}: the page's float32 ONNX file predicts the whole file as hearth predict does`, async () => {
    await loadSample(file);
    const hearthFile = await trainModel(model, epochs);
    await exportAndUse(file, 'none', 'fp32');
    const csv = join(samples, file);
    const pageRows = await predictInPage(csv);
    const cliRows = await hearthPredict(hearthFile, csv);
    const { worst, differentLabels } = compare(pageRows, cliRows);
    assert.equal(differentLabels, 0);
    assert.ok(worst <= 1e-5, `largest difference ${worst}`);
    // The batch is scored when it has the target.
    assert.ok(await page.$('#batch-metrics'));
    const rate = await page.$eval('#batch-result', (e) => Number(e.dataset.rowsPerSecond));
    assert.ok(rate > 0);
  });
}

for (const file of ['iris.csv', 'penguins.csv']) {
  test(`${file}: a static int8 file gives the same labels as the float32 model`, async () => {
    await loadSample(file);
    const hearthFile = await trainModel('mlp', 8);
    await exportAndUse(file, 'static', 'static-int8');
    const csv = join(samples, file);
    const { differentLabels } = compare(await predictInPage(csv), await hearthPredict(hearthFile, csv), { labelsOnly: true });
    assert.equal(differentLabels, 0);
  });
}

test('a typed row answers as the user types, out-of-range values are flagged, and the answer explains itself', async () => {
  const field = await page.$('.use-field .number-field input.use-input');
  const column = await field.evaluate((input) => input.closest('.use-field').dataset.column);
  const asked = async () => page.$eval('#use-timing', (p) => p.dataset.latencyMs);
  await field.fill('100000');
  await page.waitForFunction(() => document.querySelector('#use-timing')?.dataset.latencyMs !== '', null, { timeout: LONG });
  assert.ok(Number(await asked()) > 0);
  assert.match(await page.$eval(`.use-field[data-column="${column}"] .flag`, (f) => f.textContent), /outside the training range/);
  const probabilities = await page.$$eval('#use-probabilities td[data-probability]', (cells) => cells.map((c) => Number(c.dataset.probability)));
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, JSON.stringify(probabilities));
  await page.click('#explain-button');
  await page.waitForSelector('#use-explanation', { timeout: LONG });
  const contributions = await page.$$eval('#use-explanation tr[data-contribution]', (rows) => rows.map((r) => Number(r.dataset.contribution)));
  const inputs = await page.$$eval('.use-field', (fields) => fields.length);
  assert.equal(contributions.length, inputs);
  const base = Number(await page.$eval('#use-base', (c) => c.textContent));
  const answer = Math.max(...probabilities);
  // Contributions add up from the base value to the answer (the base is shown rounded).
  assert.ok(Math.abs(base + contributions.reduce((a, b) => a + b, 0) - answer) < 0.01,
    JSON.stringify({ base, contributions, answer }));
  assert.match(await page.$eval('#use-explanation', (e) => e.textContent), /200 column orders .* rows of penguins\.csv/);
});

test('drift: the training file is not flagged, a shifted copy is', async () => {
  const csv = await readFile(join(samples, 'penguins.csv'), 'utf8');
  await page.setInputFiles('#monitor-input', join(samples, 'penguins.csv'));
  await page.waitForSelector('#drift-report', { timeout: LONG });
  assert.equal(await page.$eval('#drift-report', (e) => e.dataset.datasetDrift), 'false');
  // The model's answers on the file against its answers on the test split (kept in the export).
  assert.equal(await page.$eval('#prediction-drift', (e) => e.dataset.drifted), 'false');
  // Every number shifted by half its own value and more: the distributions move.
  const shifted = csv.split('\n').map((line, i) => (i === 0 ? line : line.split(',')
    .map((cell) => (cell !== '' && !Number.isNaN(Number(cell)) ? String(Number(cell) * 1.5 + 10) : cell)).join(','))).join('\n');
  await page.setInputFiles('#monitor-input', { name: 'shifted.csv', mimeType: 'text/csv', buffer: Buffer.from(shifted) });
  await page.waitForSelector('#drift-report[data-dataset-drift="true"]', { timeout: LONG });
  assert.match(await page.$eval('#drift-verdict', (e) => e.textContent), /^Drift:/);
  // With a date column: the same chunk by chunk, oldest first; the shift shows in the last ones.
  // The file is sorted by species and island, so its rows are shuffled (seeded) before dating:
  // consecutive rows of it differ from training by themselves.
  const header = csv.trim().split('\n')[0];
  const plain = csv.trim().split('\n').slice(1);
  const moved = shifted.trim().split('\n').slice(1);
  const order = plain.map((_, i) => i);
  let seed = 7;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const date = (d) => `${2024 + Math.floor(d / 336)}-${String(Math.floor(d / 28) % 12 + 1).padStart(2, '0')}-${String(d % 28 + 1).padStart(2, '0')}`;
  const dated = ['date,' + header, ...order.map((row, d) => `${date(d)},${d < order.length / 2 ? plain[row] : moved[row]}`)].join('\n');
  await page.setInputFiles('#monitor-input', { name: 'dated.csv', mimeType: 'text/csv', buffer: Buffer.from(dated) });
  await page.waitForSelector('#drift-over-time', { timeout: LONG });
  const chunks = await page.$$eval('#drift-over-time tr[data-drift]', (rows) => rows.map((r) => r.dataset.drift));
  assert.ok(chunks.length >= 2, JSON.stringify(chunks));
  assert.equal(chunks[0], 'false');
  assert.equal(chunks.at(-1), 'true');
});

test('bad input is named in one sentence and the step stays usable', async () => {
  await page.setInputFiles('#batch-input', { name: 'other.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') });
  await page.waitForSelector('#use-error', { timeout: LONG });
  assert.match(await page.$eval('#use-error', (e) => e.textContent), /^other\.csv has no column "[^"]+", which .* reads\.$/);
  await page.setInputFiles('#onnx-input', { name: 'notes.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
  await page.waitForFunction(() => /notes\.onnx/.test(document.querySelector('#use-error')?.textContent ?? ''), null, { timeout: LONG });
  await page.setInputFiles('#onnx-input', { name: 'empty.onnx', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) });
  await page.waitForFunction(() => /empty\.onnx is empty/.test(document.querySelector('#use-error')?.textContent ?? ''), null, { timeout: LONG });
  // The model that answered before still answers.
  assert.match(await page.$eval('#use-model', (e) => e.dataset.source), /-static-int8\.onnx$/);
  await page.locator('.use-field .number-field input.use-input').first().fill('45');
  await page.waitForSelector('#use-error', { state: 'detached', timeout: LONG });
});

test('boosted trees: the exported file answers in the page as hearth predict does', async () => {
  await loadSample('iris.csv');
  const hearthFile = await trainModel('gbdt', 6);
  await exportAndUse('iris.csv', 'none', 'fp32');
  const csv = join(samples, 'iris.csv');
  const { worst, differentLabels } = compare(await predictInPage(csv), await hearthPredict(hearthFile, csv));
  assert.equal(differentLabels, 0);
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
});

test('nothing panicked or threw in the page or the worker', () => {
  assert.deepEqual(pageErrors, []);
});
