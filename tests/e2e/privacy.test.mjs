// End-to-end: a model shared from the page carries no training row. A table with a name per
// row, a ticket code per row, rare hamlets, a rare colour and a rare class goes through Data,
// Prepare, Train and Export like a person would do it; every file the page hands out (the
// .hearth model and the ONNX file) is scanned for every value seen fewer than 5 times. Then the
// target guards: columns that cannot be predicted say why, before anything trains.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch, recordErrors, serve, trainOnCpu } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;

let server, browser, page;
const pageErrors = [];

before(async () => {
  server = await serve(dist);
  browser = await launch();
  page = await browser.newPage();
  recordErrors(page, pageErrors);
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** The table of tests/it/privacy.rs, written again here: rare values and frequent ones. */
function table() {
  const cities = ['Oslo', 'Bergen', 'Trondheim', 'Stavanger', 'Tromso', 'Bodo', 'Alesund', 'Molde',
    'Hamar', 'Lillehammer', 'Narvik', 'Kristiansand'];
  const rare = ['Chartreuse', 'unsure-Wobblequack'];
  let seed = 7;
  const next = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const lines = ['name,ticket,city,colour,x1,x2,answer'];
  for (let i = 0; i < 320; i += 1) {
    const id = String(i).padStart(3, '0');
    const name = `Quillfeather${id}, Mx. Ottoline Zebedee${id}`;
    const ticket = `TK${String((104729 * (i + 1)) % 999983).padStart(6, '0')}`;
    let city = cities[i % cities.length];
    if (i % 5 === 4) {
      city = `Hamlet${String(Math.floor(i / 5)).padStart(2, '0')}x`;
      rare.push(city);
    }
    const colour = i === 7 || i === 99 ? 'Chartreuse' : (i % 2 === 0 ? 'Red' : 'Blue');
    const x1 = next() * 4 - 2;
    const x2 = next() * 4 - 2;
    const answer = [13, 140, 271].includes(i) ? 'unsure-Wobblequack'
      : (x1 + 0.5 * x2 + (next() - 0.5) > 0 ? 'yes' : 'no');
    lines.push(`"${name}",${ticket},${city},${colour},${x1.toFixed(4)},${x2.toFixed(4)},${answer}`);
    rare.push(name, ticket);
  }
  return { csv: `${lines.join('\n')}\n`, rare, frequent: ['Oslo', 'Narvik', 'Red', 'Blue'] };
}

const people = table();

async function download(selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFile(await file.path());
}

function leaks(bytes) {
  return people.rare.filter((value) => bytes.includes(Buffer.from(value)));
}

test('a name column and a ticket column are dropped, saying why', async () => {
  await page.setInputFiles('#file-input', { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(people.csv) });
  await page.waitForSelector('#profile[data-source="people.csv"]:not(.stale)', { timeout: LONG });
  const kinds = await page.$$eval('#profile tr[data-column]', (rows) => Object.fromEntries(rows.map((row) => [row.dataset.column, row.dataset.kind])));
  assert.equal(kinds.name, 'free text');
  assert.equal(kinds.ticket, 'identifier');
  await page.selectOption('#target-select', 'answer');
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  const reasons = await page.$$eval('#decisions tr[data-column]', (rows) => Object.fromEntries(rows.map((row) => [row.dataset.column, { action: row.dataset.action, reason: row.querySelector('.reason')?.textContent ?? '' }])));
  assert.equal(reasons.name.action, 'drop');
  assert.match(reasons.name.reason, /free text or names/);
  assert.equal(reasons.ticket.action, 'drop');
  assert.match(reasons.ticket.reason, /identifier-like/);
  assert.equal(reasons.city.action, 'frequency');
  assert.match(await page.$eval('#prep', (element) => element.textContent), /pooled as "\(other\)"/);
  const tip = await page.$eval('#rare-input', (input) => input.closest('[title]')?.title ?? '');
  assert.match(tip, /privacy minimum k/, 'the setting says what it protects');
});

test('the downloaded model and ONNX file hold no value seen fewer than 5 times', async () => {
  await trainOnCpu(page, 3, LONG);
  const model = await download('#download-model');
  await page.click('#step-export');
  await page.click('#export-button');
  await page.waitForSelector('#exported', { timeout: LONG });
  const onnx = await download('#download-onnx');
  for (const [name, bytes] of [['model', model], ['onnx', onnx]]) {
    assert.ok(bytes.length > 1000, `${name} has content`);
    assert.deepEqual(leaks(bytes).slice(0, 5), [], `${name} carries rare values`);
    for (const value of people.frequent) {
      assert.ok(bytes.includes(Buffer.from(value)), `${name} holds the frequent value ${value}, so the scan finds what is there`);
    }
  }
});

test('columns that cannot be predicted say why, and a table with none says so', async () => {
  await page.click('#step-data');
  await page.waitForSelector('#target-select');
  const labels = await page.$$eval('#target-select option', (options) => Object.fromEntries(options.map((o) => [o.value, { text: o.textContent, disabled: o.disabled }])));
  assert.ok(labels.name.disabled && /not predictable: it is free text or names/.test(labels.name.text), JSON.stringify(labels.name));
  assert.ok(labels.ticket.disabled && /identifies rows/.test(labels.ticket.text), JSON.stringify(labels.ticket));
  assert.ok(!labels.answer.disabled);

  const lines = ['kind,note'];
  for (let i = 0; i < 40; i += 1) lines.push(`same,remark number ${i} about something else entirely`);
  await page.setInputFiles('#file-input', { name: 'constant.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await page.waitForSelector('#profile[data-source="constant.csv"]:not(.stale)', { timeout: LONG });
  const problem = await page.waitForSelector('#target-problem', { timeout: LONG });
  assert.match(await problem.textContent(), /No column of this table can be predicted/);
  const kind = await page.$eval('#target-select option[value="kind"]', (o) => o.textContent);
  assert.match(kind, /every row has the same value \("same"\)/);
});

test('a target with missing values warns that those rows are left out', async () => {
  const lines = ['x,y'];
  for (let i = 0; i < 60; i += 1) lines.push(`${i},${i % 4 === 0 ? '' : (i % 3 === 0 ? 'a' : 'b')}`);
  await page.setInputFiles('#file-input', { name: 'gaps.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await page.waitForSelector('#profile[data-source="gaps.csv"]:not(.stale)', { timeout: LONG });
  await page.selectOption('#target-select', 'y');
  const warning = await page.waitForSelector('.target-warning', { timeout: LONG });
  assert.match(await warning.textContent(), /15 of 60 rows have no value for "y"; they are left out/);
});

test('binary data is refused in one sentence that names the file once', async () => {
  await page.setInputFiles('#file-input', { name: 'blob.csv', mimeType: 'text/csv', buffer: Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02, 0x0a]) });
  await page.waitForFunction(() => /blob\.csv/.test(document.querySelector('#error')?.textContent ?? ''), null, { timeout: LONG });
  const text = (await page.$eval('#error', (element) => element.textContent)).trim();
  assert.equal(text.split('blob.csv').length - 1, 1, text);
  assert.ok(!text.includes('..'), text);
});

test('nothing panicked or threw in the page or the worker', () => {
  assert.deepEqual(pageErrors, []);
});
