// End-to-end: the real built app (trunk build output in $HEARTH_DIST, default ../../dist) in
// Debian's Chromium, driven like a person: it opens on a sample, takes a CSV through the file
// input, reports bad input in one sentence, and lets every parser guess be corrected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { checkExportedOnnx, launch, recordErrors, serve, startStudy } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;
const DEVICE = 240_000; // first WebGPU use compiles shaders on SwiftShader: tens of seconds

let server, browser, page;
let downloaded; // the .hearth file the WebGPU training test downloads
const pageErrors = [];
// Every URL the page and its workers requested, in order (Playwright reports both on the page).
const requested = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage();
  recordErrors(page, pageErrors);
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await page.goto(server.url);
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Waits until the worker is idle and the profile shown is `source`. */
async function profileOf(source) {
  await page.waitForSelector(`#profile[data-source="${source}"]:not(.stale)`, { timeout: LONG });
  return page.$eval('#profile', (element) => ({
    rows: Number(element.dataset.rows),
    columns: Number(element.dataset.columns),
    kinds: Object.fromEntries([...element.querySelectorAll('tr[data-column]')]
      .map((row) => [row.dataset.column, { kind: row.dataset.kind, missing: Number(row.dataset.missing) }])),
  }));
}

async function upload(name, text) {
  await page.setInputFiles('#file-input', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

test('opens on the bundled penguins sample, profiled', async () => {
  const profile = await profileOf('penguins.csv');
  assert.equal(profile.rows, 344);
  assert.equal(profile.columns, 8);
  assert.equal(profile.kinds.species.kind, 'categorical');
  assert.deepEqual(profile.kinds.bill_length_mm, { kind: 'numeric', missing: 2 });
  assert.equal(await page.$eval('#target-select', (select) => select.value), 'species');
  assert.equal(await page.$eval('#task-select', (select) => select.value), 'multiclass classification');
});

test('the Data step profiles and prepares before any of burn is downloaded', async () => {
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale) #feature-names li', { state: 'attached', timeout: LONG });
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'iris.csv');
  await profileOf('iris.csv');
  const workers = requested.filter((path) => /hearth-[a-z-]*worker/.test(path));
  assert.ok(workers.some((path) => path.includes('hearth-data-worker')), `workers fetched: ${workers}`);
  assert.deepEqual(workers.filter((path) => /hearth-worker/.test(path)), [], 'the compute worker was fetched before it was needed');
  assert.equal(await page.$eval('#device', (badge) => badge.dataset.state), 'idle');
  await page.selectOption('#sample-select', 'penguins.csv');
  await profileOf('penguins.csv');
});

test('a file dropped while the data worker is still downloading is read once it runs, instead of the sample', async () => {
  const early = await browser.newPage();
  recordErrors(early, pageErrors);
  try {
    // A slow network: the data worker's wasm arrives 2 s after the page.
    await early.route(/hearth-data-worker-[0-9a-f]+_bg\.wasm$/, async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await route.fulfill({ response });
    });
    await early.goto(server.url);
    await early.waitForSelector('#file-input', { state: 'attached', timeout: LONG });
    await early.setInputFiles('#file-input', { name: 'early.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,x\n2,y\n3,x\n') });
    await early.waitForSelector('#profile[data-source="early.csv"]:not(.stale)', { timeout: LONG });
    // The first sample did not replace it.
    await early.waitForTimeout(500);
    assert.equal(await early.$eval('#profile', (profile) => profile.dataset.source), 'early.csv');
  } finally {
    await early.close();
  }
});

test('the Train step starts the CPU worker, and choosing WebGPU starts the WebGPU one beside it, whose probe reads back right', async () => {
  const badge = () => page.$eval('#device', (element) => ({ text: element.textContent.trim(), state: element.dataset.state, title: element.title }));
  // "auto" on SwiftShader (a software adapter) trains on the CPU: only burn's CPU worker loads.
  await page.click('#step-train');
  assert.equal(await page.$eval('#device-select', (select) => select.value), 'auto');
  await page.waitForSelector('#device:not([data-state="pending"]):not([data-state="idle"])', { timeout: DEVICE });
  let device = await badge();
  assert.deepEqual([device.state, device.text], ['ready', 'CPU'], `device badge: ${JSON.stringify(device)}`);
  const fetched = (name) => requested.some((path) => new RegExp(`/${name}-[0-9a-f]+_bg\\.wasm$`).test(path));
  assert.ok(fetched('hearth-worker'), 'the CPU compute worker was not fetched');
  assert.ok(!fetched('hearth-gpu-worker'), 'the WebGPU worker was fetched for a CPU run');
  // Asking for WebGPU starts the WebGPU worker beside the CPU one, which goes on with
  // everything but training on the GPU (export, refits, trials).
  await page.selectOption('#device-select', 'gpu');
  await page.waitForSelector('#device[data-state="ready"]:text("WebGPU")', { timeout: DEVICE });
  device = await badge();
  assert.deepEqual([device.state, device.text], ['ready', 'WebGPU'], `device badge: ${JSON.stringify(device)}`);
  assert.ok(fetched('hearth-gpu-worker'), 'the WebGPU worker was not fetched');
  const running = page.workers().map((worker) => worker.url());
  for (const name of ['hearth-worker', 'hearth-gpu-worker']) {
    assert.ok(running.some((url) => new RegExp(`/${name}-[0-9a-f]+_loader\\.js$`).test(url)), `${name} is not running: ${running.join(', ')}`);
  }
  // The badge keeps showing the WebGPU worker's device.
  await page.selectOption('#device-select', 'auto');
  assert.equal((await badge()).text, 'WebGPU');
  await page.click('#step-data');
});

test('another sample can be picked', async () => {
  await page.selectOption('#sample-select', 'diabetes.csv');
  const profile = await profileOf('diabetes.csv');
  assert.equal(profile.rows, 442);
  assert.equal(await page.$eval('#target-select', (select) => select.value), 'progression');
  assert.equal(await page.$eval('#task-select', (select) => select.value), 'regression');
});

test('a CSV chosen through the file input is read with its dialect detected', async () => {
  const csv = '\uFEFFname;weight;grade;note\r\n'
    + 'Ann;3,5;a;"multi\r\nline; quoted"\r\n'
    + 'Bob;4,25;b;"say ""hi"""\r\n'
    + 'Cy;NA;a;plain\r\n'
    + 'Di;5;b;x\r\n';
  await upload('semicolons.csv', csv);
  const profile = await profileOf('semicolons.csv');
  assert.equal(profile.rows, 4);
  assert.deepEqual(Object.keys(profile.kinds), ['name', 'weight', 'grade', 'note']);
  assert.deepEqual(profile.kinds.weight, { kind: 'numeric', missing: 1 });
  assert.equal(await page.$eval('#delimiter-select', (select) => select.value), ';');
  assert.equal(await page.$eval('#decimal-comma-check', (box) => box.checked), true);
  const cell = await page.$eval('#preview tbody tr:nth-child(2) td:nth-child(4)', (td) => td.textContent);
  assert.equal(cell, 'say "hi"');
});

test('a correction to a guess re-reads the file', async () => {
  await page.uncheck('#header-check');
  const profile = await profileOf('semicolons.csv');
  assert.equal(profile.rows, 5, 'the header row becomes data');
  assert.ok(Object.keys(profile.kinds).includes('column_1'));
});

test('bad input gives one sentence naming the line, and the previous dataset stays', async () => {
  await upload('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
  const error = await page.waitForSelector('#error', { timeout: LONG });
  const message = await error.textContent();
  assert.match(message, /ragged\.csv/);
  assert.match(message, /line 3/);
  const profile = await profileOf('semicolons.csv');
  assert.equal(profile.rows, 5);
});

test('an empty file is refused the same way', async () => {
  await upload('empty.csv', '');
  await page.waitForFunction(() => /empty\.csv/.test(document.querySelector('#error')?.textContent ?? ''), null, { timeout: LONG });
  assert.ok(await page.$('#profile[data-source="semicolons.csv"]'));
});

async function prepInfo() {
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  return page.$eval('#prep', (element) => ({
    features: Number(element.dataset.features),
    rows: ['train', 'valid', 'test'].map((split) => Number(element.dataset[split])),
    decisions: Object.fromEntries([...element.querySelectorAll('#decisions tr[data-column]')]
      .map((row) => [row.dataset.column, row.dataset.action])),
  }));
}

async function refitted(features) {
  await page.waitForFunction((previous) => {
    const element = document.querySelector('#prep:not(.stale)');
    return element && Number(element.dataset.features) !== previous;
  }, features, { timeout: LONG });
  return prepInfo();
}

test('the Prepare step shows every decision with its reason and the split', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'penguins.csv');
  await profileOf('penguins.csv');
  await page.click('#step-prepare');
  const prep = await prepInfo();
  assert.deepEqual(Object.keys(prep.decisions).sort(),
    ['bill_depth_mm', 'bill_length_mm', 'body_mass_g', 'flipper_length_mm', 'island', 'sex', 'year']);
  assert.equal(prep.decisions.island, 'one-hot');
  assert.equal(prep.decisions.bill_length_mm, 'numeric');
  assert.equal(prep.rows.reduce((a, b) => a + b), 344);
  assert.ok(prep.rows[0] > prep.rows[1] && prep.rows[1] > 0);
  const reason = await page.$eval('#decisions tr[data-column="island"] .reason', (td) => td.textContent);
  assert.match(reason, /one-hot/);
  const names = await page.$$eval('#feature-names li', (items) => items.map((item) => item.textContent));
  assert.equal(names.length, prep.features);
});

test('an override re-fits at once in the worker', async () => {
  const before = await prepInfo();
  await page.selectOption('#decisions tr[data-column="island"] select.treatment', 'ordinal');
  const ordinal = await refitted(before.features);
  assert.equal(ordinal.decisions.island, 'ordinal');
  assert.ok(ordinal.features < before.features, `${ordinal.features} < ${before.features}`);
  await page.selectOption('#decisions tr[data-column="year"] select.treatment', 'drop');
  const dropped = await refitted(ordinal.features);
  assert.equal(dropped.decisions.year, 'drop');
  assert.equal(dropped.features, ordinal.features - 1);
  await page.check('#decisions tr[data-column="bill_length_mm"] input.indicator');
  const flagged = await refitted(dropped.features);
  assert.equal(flagged.features, dropped.features + 1);
});

test('a setting the engine refuses is named in one sentence', async () => {
  await page.fill('#train-input', '90');
  await page.dispatchEvent('#train-input', 'change');
  const error = await page.waitForSelector('#prep-error', { timeout: LONG });
  assert.match(await error.textContent(), /Setting "split".*add up to 100%, but they add up to \d+%\./);
  await page.fill('#train-input', '70');
  await page.dispatchEvent('#train-input', 'change');
  await page.waitForSelector('#prep-error', { state: 'detached', timeout: LONG });
  await prepInfo();
});

async function train(device, epochs) {
  await page.click('#step-train');
  await page.selectOption('#device-select', device);
  await page.fill('#epochs-input', String(epochs));
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: DEVICE });
  return epochRows();
}

async function epochRows() {
  return page.$$eval('#epochs tr[data-epoch]', (rows) => rows
    .map((row) => ({ epoch: Number(row.dataset.epoch), loss: Number(row.dataset.trainLoss) }))
    .sort((a, b) => a.epoch - b.epoch));
}

test('training on WebGPU in the worker: a few epochs, the loss falls, the model downloads', async () => {
  const epochs = await train('gpu', 3);
  assert.equal(epochs.length, 3);
  assert.ok(epochs[2].loss < epochs[0].loss, JSON.stringify(epochs));
  assert.equal(await page.$eval('#train-device', (p) => p.dataset.device), 'WebGPU');
  const accuracy = await page.$eval('#test-metrics tr[data-metric="accuracy"] td', (td) => Number(td.textContent));
  assert.ok(accuracy > 0 && accuracy <= 1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const model = JSON.parse(await readFile(path, 'utf8'));
  assert.equal(model.format, 'hearth-model');
  assert.equal(model.training.history.length, 3);
  downloaded = { path, model };
});

test('the loss and validation-accuracy curves are drawn, marking the best epoch', async () => {
  const loss = await page.$eval('#loss-chart', (figure) => ({
    points: Number(figure.dataset.points),
    paths: figure.querySelectorAll('svg polyline, svg path').length,
    text: figure.textContent,
  }));
  assert.equal(loss.points, 6, 'train and validation loss for 3 epochs');
  assert.ok(loss.paths >= 2, JSON.stringify(loss));
  assert.match(loss.text, /validation/);
  const metric = await page.$eval('#metric-chart', (figure) => Number(figure.dataset.points));
  assert.equal(metric, 6, 'accuracy and balanced accuracy for 3 epochs');
});

test('a downloaded .hearth file loads back with its history and metrics', async () => {
  await page.click('#step-prepare');
  await page.click('#step-train');
  await page.setInputFiles('#model-file-input', downloaded.path);
  await page.waitForSelector('#trained[data-loaded="true"]', { timeout: LONG });
  const rows = await epochRows();
  const saved = downloaded.model.training.history.map((epoch) => epoch.train_loss);
  assert.equal(rows.length, saved.length);
  rows.forEach((row, i) => assert.ok(Math.abs(row.loss - saved[i]) < 1e-12, `${row.loss} vs ${saved[i]}`));
  const accuracy = await page.$eval('#test-metrics tr[data-metric="accuracy"] td', (td) => Number(td.textContent));
  assert.ok(Math.abs(accuracy - downloaded.model.test_metrics.accuracy) < 1e-3);
  assert.equal(await page.$eval('#epochs-input', (input) => input.value), '3', 'the form shows its settings');
});

test('a file that is not a model is refused in one sentence naming it', async () => {
  await page.setInputFiles('#model-file-input', { name: 'notes.hearth', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  const error = await page.waitForSelector('#train-error', { timeout: LONG });
  assert.match(await error.textContent(), /notes\.hearth/);
  assert.ok(await page.$('#trained[data-loaded="true"]'), 'the loaded model stays');
});

test('settings that cannot work are named before training', async () => {
  await page.fill('#hidden-input', '64,abc');
  await page.dispatchEvent('#hidden-input', 'change');
  assert.match(await (await page.waitForSelector('#train-field-error')).textContent(), /Hidden layers/);
  await page.fill('#dropout-input', '2');
  await page.dispatchEvent('#dropout-input', 'change');
  assert.match(await (await page.waitForSelector('#train-config-error')).textContent(), /dropout/i);
  assert.equal(await page.$eval('#train-button', (button) => button.disabled), true);
  await page.fill('#dropout-input', '0.1');
  await page.dispatchEvent('#dropout-input', 'change');
  await page.waitForSelector('#train-config-error', { state: 'detached' });
  assert.equal(await page.$eval('#train-button', (button) => button.disabled), false);
});

test('training on the CPU can be stopped and keeps the best epoch', async () => {
  await page.click('#step-train');
  await page.selectOption('#device-select', 'cpu');
  await page.fill('#epochs-input', '500');
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector('#epochs tr[data-epoch="2"]', { state: 'attached', timeout: LONG });
  await page.click('#stop-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: LONG });
  const ran = await page.$$eval('#epochs tr[data-epoch]', (rows) => rows.length);
  assert.ok(ran >= 2 && ran < 500, `${ran} epochs`);
});

test('regression shows error curves and a residual plot of the test rows', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'diabetes.csv');
  await profileOf('diabetes.csv');
  await page.click('#step-prepare');
  const prep = await prepInfo();
  await page.click('#step-train');
  await page.selectOption('#device-select', 'cpu');
  await page.selectOption('#loss-select', 'huber');
  const epochs = await train('cpu', 20);
  assert.equal(epochs.length, 20);
  const residuals = await page.$eval('#residual-chart', (figure) => Number(figure.dataset.points));
  assert.equal(residuals, prep.rows[2], 'one point per test row');
  assert.match(await page.$eval('#metric-chart', (figure) => figure.textContent), /RMSE/);
  const rmse = await page.$eval('#test-metrics tr[data-metric="RMSE"] td', (td) => Number(td.textContent));
  assert.ok(rmse > 0 && rmse < 80, `RMSE ${rmse} (the target's standard deviation is 77)`);
});

// Changes to the default space: few epochs so that the study runs in seconds.
const SMALL_SPACE = JSON.stringify({
  model: { categorical: { choices: ['linear', 'mlp'] } },
  width: { int: { low: 4, high: 32 } },
  learning_rate: { float: { low: 0.001, high: 0.1, log: true } },
  epochs: { fixed: { value: 6 } },
});

async function studyInfo() {
  return page.$eval('#study', (element) => ({
    running: element.dataset.running,
    trials: Number(element.dataset.trials),
    complete: Number(element.dataset.complete),
    rows: [...element.querySelectorAll('#leaderboard tr[data-trial]')].map((row) => ({ number: Number(row.dataset.trial), state: row.dataset.state })),
  }));
}

test('what is typed in a settings box stays there when the page redraws before it is committed', async () => {
  // A box commits on change (Enter, or leaving it); until then the page must not write the
  // state's value back over it. Here the redraw is another field's change, as a worker's
  // message would cause while a person types.
  await page.click('#step-search');
  await page.fill('#trials-input', '7');
  await page.click('#search-settings details summary');
  await page.fill('#space-input', '{"epochs": {"fixed": {"value": 2}}}');
  await page.selectOption('#sampler-select', 'grid');
  assert.equal(await page.inputValue('#trials-input'), '7');
  assert.equal(await page.inputValue('#space-input'), '{"epochs": {"fixed": {"value": 2}}}');
  await page.dispatchEvent('#trials-input', 'change');
  await page.selectOption('#sampler-select', 'tpe');
  assert.equal(await page.inputValue('#trials-input'), '7', 'a committed value is the state\'s');
  await page.fill('#space-input', '');
  await page.dispatchEvent('#space-input', 'change');

  await page.click('#step-train');
  await page.fill('#epochs-input', '4');
  await page.selectOption('#device-select', 'cpu');
  assert.equal(await page.inputValue('#epochs-input'), '4');
});

test('a study runs its trials in a pool of workers, with a leaderboard and plots', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'iris.csv');
  await profileOf('iris.csv');
  await page.click('#step-prepare');
  await prepInfo();
  await startStudy(page, { trials: 6, workers: 2, space: SMALL_SPACE });
  await page.waitForSelector('#study[data-running="false"][data-trials="6"]', { timeout: DEVICE });
  const study = await studyInfo();
  assert.equal(study.rows.length, 6);
  assert.equal(study.complete, 6, JSON.stringify(study));
  assert.equal(await page.$eval('#history-chart', (figure) => Number(figure.dataset.points)) > 6, true);
  assert.equal(await page.$eval('#parallel-chart', (figure) => Number(figure.dataset.lines)), 6);
  assert.ok(await page.$eval('#importance-chart', (figure) => Number(figure.dataset.bars)) >= 2);
  assert.ok(await page.$('#slice-chart'));
  // Sorting by trial number puts them in order.
  await page.click('#leaderboard th[data-sort="#"]');
  const numbers = (await studyInfo()).rows.map((row) => row.number);
  assert.deepEqual(numbers, [0, 1, 2, 3, 4, 5]);
});

test('the study exports as JSON with each trial\'s parameters', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-study')]);
  const { readFile } = await import('node:fs/promises');
  const study = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(study.trials.length, 6);
  for (const trial of study.trials) {
    assert.ok(['linear', 'mlp'].includes(trial.params.model), JSON.stringify(trial.params));
    assert.equal(trial.params.epochs, 6);
    assert.ok(trial.params.weight_decay > 0, JSON.stringify(trial.params));
    if (trial.params.model === 'mlp') {
      assert.ok(trial.params.learning_rate >= 0.001 && trial.params.learning_rate <= 0.1);
      assert.ok(trial.params.width >= 4 && trial.params.width <= 32);
    } else {
      // Fitted by Newton's method: no learning rate to search.
      assert.equal(trial.params.learning_rate, undefined, JSON.stringify(trial.params));
    }
  }
});

test('any trial can become the model', async () => {
  const number = await page.$eval('#leaderboard tr.best', (row) => Number(row.dataset.trial));
  await page.click('#leaderboard tr.best button.use-trial');
  await page.waitForSelector('#trained[data-loaded="true"]', { timeout: LONG });
  assert.match(await page.$eval('#trained', (element) => element.textContent), new RegExp(`trial ${number}`));
});

test('a stopped study survives a reload and resumes on the same data', async () => {
  await page.click('#step-search');
  // Enough trials that the study is still running when Stop is clicked (a trial takes < 1 s).
  await page.fill('#trials-input', '40');
  await page.dispatchEvent('#trials-input', 'change');
  await page.fill('#workers-input', '1');
  await page.dispatchEvent('#workers-input', 'change');
  await page.click('#search-button');
  await page.waitForFunction(() => Number(document.querySelector('#study')?.dataset.complete) >= 1
    && document.querySelector('#study')?.dataset.running === 'true', null, { timeout: DEVICE });
  await page.click('#search-stop');
  await page.waitForSelector('#study[data-running="false"]', { timeout: LONG });
  const stopped = await studyInfo();
  assert.ok(stopped.complete >= 1 && stopped.complete < 40, JSON.stringify(stopped));
  await page.reload();
  // The reload keeps the step (#/search); the page meanwhile reopens on the bundled sample.
  await page.waitForSelector('#study', { timeout: LONG });
  assert.match(page.url(), /#\/search$/);
  await page.click('#step-data');
  await profileOf('penguins.csv');
  await page.click('#step-search');
  await page.waitForSelector('#study', { timeout: LONG });
  assert.equal((await studyInfo()).complete, stopped.complete, 'the saved study is shown');
  assert.equal(await page.$eval('#search-resume', (button) => button.disabled), true, 'not on other data');
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'iris.csv');
  await profileOf('iris.csv');
  await page.click('#step-search');
  await page.waitForSelector('#search-resume:not([disabled])', { timeout: LONG });
  await page.click('#search-resume');
  await page.waitForSelector('#study[data-running="false"][data-complete="40"]', { timeout: DEVICE });
  const resumed = await studyInfo();
  assert.deepEqual(resumed.rows.map((row) => row.number).sort((a, b) => a - b), [...Array(40).keys()]);
});

test('the Export step compares every form and its ONNX file runs in onnxruntime', async () => {
  await page.click('#step-train');
  await page.selectOption('#model-select', 'mlp');
  await page.fill('#hidden-input', '64,64');
  await page.dispatchEvent('#hidden-input', 'change');
  await page.fill('#dropout-input', '0');
  await page.dispatchEvent('#dropout-input', 'change');
  await train('cpu', 30);
  const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const modelPath = await modelDownload.path();
  await page.click('#step-export');
  await page.selectOption('#quantize-select', 'dynamic');
  await page.click('#export-button');
  await page.waitForSelector('#exported[data-form="dynamic-int8"]', { timeout: LONG });
  const forms = await page.$$eval('#export-report tr[data-form]', (rows) => Object.fromEntries(rows.map((row) => [row.dataset.form, Number(row.dataset.ratio)])));
  assert.deepEqual(Object.keys(forms).sort(), ['dynamic-int8', 'fp16', 'fp32', 'static-int8']);
  assert.equal(forms.fp32, 1);
  assert.ok(forms['dynamic-int8'] < 0.6 && forms.fp16 < 0.8, JSON.stringify(forms));
  assert.ok(await page.$eval('#sparsity-chart', (figure) => Number(figure.dataset.points)) >= 5);
  assert.match(await page.$eval('#python-snippet', (pre) => pre.textContent), /"petal_length_cm"/);
  const csv = join(here, '..', '..', 'static', 'iris.csv');
  const onnxDownload = await checkExportedOnnx(page, modelPath, csv, 'dynamic');
  // The serve snippet works as written on the downloaded file: `hearth serve` answers its request.
  const snippet = await page.$eval('#serve-snippet', (pre) => pre.textContent);
  const file = onnxDownload.suggestedFilename();
  const name = file.replace(/\.onnx$/, '');
  assert.ok(snippet.startsWith(`hearth serve ${file} --name ${name}\n`), snippet);
  const body = snippet.match(/-d '(.*)'$/m)[1];
  assert.match(body, /"petal_length_cm": null/);
  const answer = await serveAndPost(await onnxDownload.path(), file, name, snippet.match(/\/v1\/models\/\S+/)[0], body);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.equal(answer.json.predictions.length, 1);
  assert.ok(['setosa', 'versicolor', 'virginica'].includes(answer.json.predictions[0].label), JSON.stringify(answer.json));
});

/** Runs `hearth serve` on a copy of `path` named `file` as model `name` (on a free port),
 * POSTs `body` to `route` and stops the server; resolves to the status and JSON answer. */
async function serveAndPost(path, file, name, route, body) {
  const { spawn } = await import('node:child_process');
  const { copyFile, mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const hearth = process.env.HEARTH_BIN;
  assert.ok(hearth, 'run through scripts/check, which sets HEARTH_BIN');
  const work = await mkdtemp(join(tmpdir(), 'hearth-serve-'));
  await copyFile(path, join(work, file));
  const server = spawn(hearth, ['serve', file, '--name', name, '--port', '0'], { cwd: work, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const base = await new Promise((resolve, reject) => {
      let printed = '';
      server.stdout.on('data', (chunk) => {
        printed += chunk;
        const found = printed.match(/listening on (http:\/\/\S+)/);
        if (found) resolve(found[1]);
      });
      server.on('exit', () => reject(new Error(`hearth serve exited: ${printed}`)));
    });
    const response = await fetch(base + route, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    return { status: response.status, json: await response.json() };
  } finally {
    server.kill('SIGTERM');
  }
}

test('pruning in the page reaches the sparsity asked for and the float32 file still agrees', async () => {
  await page.selectOption('#quantize-select', 'none');
  await page.check('#prune-input');
  await page.fill('#sparsity-input', '0.5');
  await page.dispatchEvent('#sparsity-input', 'change');
  await page.fill('#stages-input', '2');
  await page.dispatchEvent('#stages-input', 'change');
  await page.fill('#fine-tune-input', '3');
  await page.dispatchEvent('#fine-tune-input', 'change');
  await page.click('#export-button');
  await page.waitForSelector('#exported[data-form="fp32"]', { timeout: LONG });
  const caption = await page.$eval('#export-report caption', (c) => c.textContent);
  assert.match(caption, /50% of the dense weights zero/);
  const fineTuned = await page.$eval('#sparsity-chart', (figure) => figure.textContent);
  assert.match(fineTuned, /fine-tuned/);
});

/** Downloads the trained model from the Train step: its path and its parsed .hearth JSON. */
async function downloadModel() {
  const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const modelPath = await modelDownload.path();
  const { readFile } = await import('node:fs/promises');
  return { modelPath, saved: JSON.parse(await readFile(modelPath, 'utf8')) };
}

test('gradient-boosted trees train in the page, export as float32 only, and onnxruntime agrees', async () => {
  await page.click('#step-train');
  await page.selectOption('#model-select', 'gbdt');
  assert.equal(await page.$$eval('#device-select, #optimizer-select, #batch-input', (e) => e.length), 0,
    'the network-only settings are hidden for trees');
  await page.fill('#leaves-input', '8');
  await page.dispatchEvent('#leaves-input', 'change');
  assert.equal(await page.$eval('#categorical-input', (box) => box.checked), true,
    'a categorical column is split as sets of categories by default');
  await page.uncheck('#categorical-input');
  await page.fill('#epochs-input', '6');
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: DEVICE });
  const epochs = await epochRows();
  assert.ok(epochs.length >= 1 && epochs.length <= 6, JSON.stringify(epochs));
  assert.ok(epochs.at(-1).loss < epochs[0].loss, JSON.stringify(epochs));
  assert.equal(await page.$eval('#train-device', (p) => p.dataset.device), 'CPU');
  const { modelPath, saved } = await downloadModel();
  assert.ok(saved.booster && !saved.weights, 'the .hearth file holds the trees');
  assert.equal(saved.config.model.gbdt.categorical, false, 'the form\'s choice reached the trainer');
  await page.click('#step-export');
  await page.waitForSelector('#trees-export-note');
  assert.equal(await page.$$eval('#quantize-select, #prune-input', (e) => e.length), 0);
  await page.click('#export-button');
  await page.waitForSelector('#exported[data-form="fp32"]', { timeout: LONG });
  const forms = await page.$$eval('#export-report tr[data-form]', (rows) => rows.map((row) => row.dataset.form));
  assert.deepEqual(forms, ['fp32']);
  assert.match(await page.$eval('#export-report caption', (c) => c.textContent), /gradient-boosted trees: \d+ nodes/);
  const csv = join(here, '..', '..', 'static', 'iris.csv');
  await checkExportedOnnx(page, modelPath, csv, 'none');
});

test('a linear model fitted by Newton\'s method trains on the CPU in a few epochs and onnxruntime agrees', async () => {
  await page.click('#step-train');
  await page.selectOption('#model-select', 'linear');
  await page.selectOption('#optimizer-select', 'newton');
  assert.equal(await page.$$eval('#lr-input, #batch-input, #schedule-select, #device-select', (e) => e.length), 0,
    'settings Newton\'s method does not use are hidden');
  assert.match(await page.$eval('#trees-device', (span) => span.textContent), /Newton's method trains on the CPU/);
  await page.fill('#epochs-input', '50');
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: DEVICE });
  const epochs = await epochRows();
  assert.ok(epochs.length >= 2 && epochs.length < 50, `converged early: ${JSON.stringify(epochs)}`);
  assert.ok(epochs.at(-1).loss < epochs[0].loss, JSON.stringify(epochs));
  assert.equal(await page.$eval('#train-device', (p) => p.dataset.device), 'CPU');
  const { modelPath, saved } = await downloadModel();
  assert.equal(saved.config.optimizer, 'newton', 'the form\'s choice reached the trainer');
  await page.click('#step-export');
  await page.selectOption('#quantize-select', 'none');
  await page.uncheck('#prune-input');
  await page.click('#export-button');
  await page.waitForSelector('#exported[data-form="fp32"]', { timeout: LONG });
  const csv = join(here, '..', '..', 'static', 'iris.csv');
  await checkExportedOnnx(page, modelPath, csv, 'none');
});

test('nothing panicked or threw in the page or the worker', () => {
  assert.deepEqual(pageErrors, []);
});
