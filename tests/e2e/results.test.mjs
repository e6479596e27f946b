// End-to-end: results a newcomer can read. Class names on the confusion matrix, one format for
// a metric in every step, legends beside the plot rather than over it, a data table under every
// chart, axis scales on parallel coordinates (log where the space is log), and a residual plot
// sampled from the whole test split.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, startStudy } from './harness.mjs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;
const TRAIN = 240_000;

let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // Loading another dataset while a model exists may ask first: go ahead.
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto(server.url);
  await profileOf('penguins.csv');
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function profileOf(source) {
  await page.waitForSelector(`#profile[data-source="${source}"]:not(.stale)`, { timeout: LONG });
}

async function prepInfo() {
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  return page.$eval('#prep', (element) => ({
    rows: ['train', 'valid', 'test'].map((split) => Number(element.dataset[split])),
  }));
}

/** Trains on the CPU device for `epochs` epochs and waits for the model. */
async function train(epochs) {
  await page.click('#step-train');
  await page.selectOption('#device-select', 'cpu');
  await page.fill('#epochs-input', String(epochs));
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: TRAIN });
}

/** Opens a chart's data table and returns its row count, the points it claims, and its name. */
async function chartTable(selector) {
  if (!await page.$(`${selector} details.chart-data[open]`)) {
    await page.click(`${selector} details.chart-data summary`);
  }
  await page.waitForSelector(`${selector} details.chart-data[open] tbody tr`, { timeout: LONG });
  return page.$eval(selector, (figure) => ({
    rows: figure.querySelectorAll('details.chart-data tbody tr').length,
    declared: Number(figure.querySelector('details.chart-data').dataset.rows),
    points: Number(figure.dataset.points ?? figure.dataset.lines ?? figure.dataset.bars),
    label: figure.querySelector('[role="img"]')?.getAttribute('aria-label') ?? '',
    cells: [...figure.querySelectorAll('details.chart-data tbody tr')]
      .map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)),
  }));
}

const intersects = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

test('the confusion matrix names the classes on both axes', async () => {
  await page.click('#step-prepare');
  await prepInfo();
  await train(3);
  for (const id of ['#valid-metrics', '#test-metrics']) {
    const axes = await page.$eval(`${id} table.confusion`, (table) => ({
      predicted: [...table.querySelectorAll('thead th.predicted')].map((th) => th.textContent),
      actual: [...table.querySelectorAll('tbody th.true')].map((th) => th.textContent),
      rows: table.querySelectorAll('tbody tr').length,
      caption: table.querySelector('caption')?.textContent ?? '',
    }));
    assert.deepEqual(axes.predicted, ['Adelie', 'Chinstrap', 'Gentoo'], `${id}: ${JSON.stringify(axes)}`);
    assert.deepEqual(axes.actual, ['Adelie', 'Chinstrap', 'Gentoo'], `${id}: ${JSON.stringify(axes)}`);
    assert.equal(axes.rows, 3);
    assert.match(axes.caption, /true class/);
  }
});

test('Train and Export write the same test metric the same way', async () => {
  const trained = await page.$eval('#test-metrics tr[data-metric="accuracy"] td', (td) => td.textContent);
  assert.match(trained, /^[01]\.\d{4}$/, `a fraction with four decimals, not a percentage: ${trained}`);
  await page.click('#step-export');
  await page.click('#export-button');
  await page.waitForSelector('#exported', { timeout: LONG });
  const exported = await page.$eval('#export-report tr[data-form="fp32"] td[data-metric="test"]', (td) => td.textContent);
  assert.equal(exported, trained);
  const header = await page.$eval('#export-report thead', (head) => head.textContent);
  assert.match(header, /test accuracy/);
});

test('every chart has an accessible name and a data table with one row per point', async () => {
  await page.click('#step-train');
  for (const id of ['#loss-chart', '#metric-chart']) {
    const table = await chartTable(id);
    assert.ok(table.points > 0, `${id}: ${JSON.stringify(table.points)}`);
    assert.equal(table.rows, table.points, `${id}: one table row per drawn point`);
    assert.equal(table.declared, table.points);
    assert.ok(table.label.length > 10, `${id} has an accessible name: "${table.label}"`);
  }
  // The loss table holds the numbers the epochs table shows.
  const loss = await chartTable('#loss-chart');
  const series = new Set(loss.cells.map((row) => row[0]));
  assert.deepEqual([...series].sort(), ['train', 'validation']);
});

test('legends sit beside the plot and cover no curve', async () => {
  for (const id of ['#loss-chart', '#metric-chart']) {
    const boxes = await page.$eval(id, (figure) => {
      const box = (element) => {
        const r = element.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
      };
      const legend = figure.querySelector('.chart-legend');
      return {
        legend: legend ? box(legend) : null,
        names: legend ? [...legend.querySelectorAll('li')].map((li) => li.textContent) : [],
        curves: [...figure.querySelectorAll('svg polyline, svg path')].map(box).filter((b) => b.width > 0 || b.height > 0),
        svgText: [...figure.querySelectorAll('svg text')].map((text) => text.textContent),
      };
    });
    assert.ok(boxes.legend && boxes.legend.width > 0 && boxes.legend.height > 0, `${id}: a visible legend`);
    assert.equal(boxes.names.length, 2, `${id}: ${JSON.stringify(boxes.names)}`);
    assert.ok(boxes.curves.length >= 2, `${id}: curves drawn`);
    for (const curve of boxes.curves) {
      assert.ok(!intersects(boxes.legend, curve), `${id}: legend ${JSON.stringify(boxes.legend)} over a curve ${JSON.stringify(curve)}`);
    }
    for (const name of boxes.names) {
      assert.ok(!boxes.svgText.includes(name), `${id}: "${name}" is not written inside the plot`);
    }
  }
});

// Two trials of a small space: one integer axis, one log-scaled float axis (networks both:
// a linear trial has neither, being fitted by Newton's method).
const SMALL_SPACE = JSON.stringify({
  model: { fixed: { value: 'mlp' } },
  width: { int: { low: 4, high: 32 } },
  learning_rate: { float: { low: 0.001, high: 0.1, log: true } },
  epochs: { fixed: { value: 3 } },
});

test('parallel coordinates label each axis with its range, log axes as log', async () => {
  await page.click('#step-data');
  await page.selectOption('#sample-select', 'iris.csv');
  await profileOf('iris.csv');
  await page.click('#step-prepare');
  await prepInfo();
  await startStudy(page, { trials: 2, workers: 1, space: SMALL_SPACE });
  await page.waitForSelector('#study[data-running="false"][data-complete="2"]', { timeout: TRAIN });
  const texts = await page.$eval('#parallel-chart', (figure) => [...figure.querySelectorAll('svg text')].map((t) => t.textContent.trim()));
  for (const expected of ['width', 'learning_rate (log)', '4', '32', '0.001', '0.1', '0.01']) {
    assert.ok(texts.includes(expected), `"${expected}" on the parallel axes: ${JSON.stringify(texts)}`);
  }
  const table = await chartTable('#parallel-chart');
  assert.equal(table.rows, 2, 'one row per trial');
  assert.equal(table.points, 2);
  // The slice plot of the log-scaled parameter has a log axis.
  await page.selectOption('#slice-select', 'learning_rate');
  await page.waitForFunction(() => /log scale/.test(document.querySelector('#slice-chart [role="img"]')?.getAttribute('aria-label') ?? ''), null, { timeout: LONG });
  const slice = await chartTable('#slice-chart');
  assert.equal(slice.rows, 2);
  for (const id of ['#history-chart', '#importance-chart']) {
    if (await page.$(id)) {
      const other = await chartTable(id);
      assert.equal(other.rows, other.points, `${id}: one table row per point`);
    }
  }
});

test('the residual plot samples the whole test split, not its first rows', async () => {
  // y rises with the row number, so a point's actual value says where in the file it came from;
  // 16,000 rows leave about 2,400 test rows, more than the 2,000 points sent to the page.
  const lines = ['a,b,y'];
  for (let row = 0; row < 16_000; row += 1) lines.push(`${row % 97},${(row * 7) % 13},${Math.floor(row / 4)}`);
  await page.click('#step-data');
  await page.setInputFiles('#file-input', { name: 'rising.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await profileOf('rising.csv');
  await page.selectOption('#target-select', 'y');
  if (await page.$eval('#task-select', (select) => select.value) !== 'regression') {
    await page.selectOption('#task-select', 'regression');
  }
  await page.click('#step-prepare');
  const prep = await prepInfo();
  assert.ok(prep.rows[2] > 2000, `test rows ${prep.rows[2]}`);
  await train(2);
  const table = await chartTable('#residual-chart');
  assert.equal(table.points, 2000, 'at most 2,000 points');
  assert.equal(table.rows, 2000);
  // Columns: predicted, actual − predicted.
  const actual = table.cells.map(([predicted, residual]) => Number(predicted) + Number(residual));
  const highest = Math.max(...actual);
  const top = Math.floor(15_999 / 4);
  assert.ok(highest > 0.98 * top, `the sample reaches the last test rows: highest actual ${highest} of ${top}`);
  assert.ok(Math.min(...actual) < 0.02 * top, 'and the first ones');
  assert.match(await page.$eval('#residual-chart [role="img"]', (img) => img.getAttribute('aria-label')), /Residuals/);
  assert.deepEqual(pageErrors, []);
});
