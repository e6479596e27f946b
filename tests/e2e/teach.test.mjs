// End-to-end: the Teach step. Toy sets train to > 0.9 test accuracy with both classes on the
// canvas, +1 epoch advances exactly one epoch, a classroom link opened in a fresh page replays
// the same losses bit for bit (and `hearth teach --link` prints the same numbers), a link's
// hidden controls and goal take effect, a link that carries its table's file opens the lesson in
// a page with nothing loaded, a bad link is named in one sentence, and every control (painting
// points included) is reached and used with the keyboard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launch, recordErrors, serve, trainOnCpu } from './harness.mjs';

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
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Opens the Teach step at `query` (a classroom link's query, or none) in a newly loaded page
 * (going to another fragment of the same page would not reload it) and waits for the lesson's
 * first frame. */
async function open(target, query = '') {
  await target.goto('about:blank');
  await target.goto(`${server.url}#/teach${query ? `?${query}` : ''}`);
  await target.waitForSelector('#teach-epoch:not([disabled])', { timeout: LONG });
}

async function epochs(target = page) {
  return Number(await target.textContent('#teach-epoch-count'));
}

/** Clicks "+1 epoch" `n` times, each time waiting for its epoch to show. */
async function clickEpochs(target, n) {
  for (let e = (await epochs(target)) + 1, last = e + n - 1; e <= last; e += 1) {
    await target.click('#teach-epoch');
    await target.waitForFunction((k) => document.querySelector('#teach-epoch-count').textContent === String(k), e);
  }
}

/** `hearth teach --link LINK --epochs N --json`: every epoch's [training, test] loss. */
async function cliLosses(link, n) {
  const hearth = process.env.HEARTH_BIN;
  assert.ok(hearth, 'run through scripts/check, which sets HEARTH_BIN');
  const out = await new Promise((resolve, reject) => execFile(hearth,
    ['teach', '--link', link, '--epochs', String(n), '--json'],
    (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout))));
  return JSON.parse(out).history.map((s) => [s.train_loss, s.test_loss]);
}

/** Every epoch's exact [training, test] loss, from the folded table (opened to read it). */
async function losses(target = page) {
  await target.$eval('#teach-loss-table', (details) => { details.open = true; });
  await target.waitForFunction(() => document.querySelectorAll('#teach-loss-table tbody tr').length
    === Number(document.querySelector('#teach-epoch-count').textContent));
  return target.$$eval('#teach-loss-table tbody tr', (rows) => rows.map((row) =>
    [...row.querySelectorAll('td')].slice(1).map((cell) => Number(cell.textContent))));
}

/** Plays as fast as it goes until the test accuracy reaches `goal` (or the time runs out). */
async function playUntil(goal) {
  await page.selectOption('#teach-speed', 'Fast');
  await page.click('#teach-play');
  await page.waitForFunction((g) => Number(document.querySelector('#teach-test-accuracy')?.textContent) > g,
    goal, { timeout: LONG });
  await page.click('#teach-play');
  await page.waitForSelector('#teach-play[aria-pressed="false"]');
  // Frames the worker sent before it read the pause may still arrive: wait for the last.
  for (let last = -1, now = await epochs(); now !== last; last = now, now = await epochs()) {
    await page.waitForTimeout(250);
  }
}

/** Shares of the plane's pixels that are clearly blue and clearly orange. */
async function classShares() {
  return page.$eval('#teach-plane', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let blue = 0, orange = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (b > r + 40 && b > g) blue += 1;
      else if (r > b + 40) orange += 1;
    }
    const n = data.length / 4;
    return { blue: blue / n, orange: orange / n };
  });
}

test('circle trains past 0.9 test accuracy and the plane shows both classes', async () => {
  await open(page);
  assert.equal(await page.inputValue('#teach-toy'), 'circle');
  await playUntil(0.9);
  const shares = await classShares();
  assert.ok(shares.blue > 0.05 && shares.orange > 0.05, JSON.stringify(shares));
  assert.ok(await epochs() > 0);
});

test('xor trains past 0.9 test accuracy with two layers of eight', async () => {
  await open(page, 'v=1&toy=xor&layers=8,8');
  assert.equal(await page.inputValue('#teach-toy'), 'xor');
  await playUntil(0.9);
  const shares = await classShares();
  assert.ok(shares.blue > 0.05 && shares.orange > 0.05, JSON.stringify(shares));
});

test('three clusters: a softmax over three classes, each with its own colour on the plane', async () => {
  await open(page, 'v=1&toy=clusters');
  await playUntil(0.95);
  const greens = await page.$eval('#teach-plane', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 1] > data[i] + 30 && data[i + 1] > data[i + 2]) n += 1;
    return n / (data.length / 4);
  });
  const shares = await classShares();
  assert.ok(greens > 0.05 && shares.blue > 0.05 && shares.orange > 0.05, JSON.stringify({ greens, ...shares }));
});

test('+1 epoch advances exactly one epoch, +1 batch one batch', async () => {
  await open(page);
  assert.equal(await epochs(), 0);
  for (let expected = 1; expected <= 3; expected += 1) {
    await page.click('#teach-epoch');
    await page.waitForFunction((e) => document.querySelector('#teach-epoch-count').textContent === String(e), expected);
    assert.equal((await losses()).length, expected);
  }
  // 250 training points in batches of 10: a batch does not finish an epoch.
  await page.click('#teach-batch');
  await page.waitForTimeout(300);
  assert.equal(await epochs(), 3);
  await page.click('#teach-epoch');
  await page.waitForFunction(() => document.querySelector('#teach-epoch-count').textContent === '4');
});

test('a classroom link replays the same losses bit for bit in a fresh page and in the CLI', async () => {
  await open(page, 'v=1&toy=spiral&points=300&noise=0.1&features=x1,x2,x1sq,x2sq&layers=6,4&lr=0.1&dropout=0.1&l2=0.001&seed=42');
  await page.selectOption('#teach-activation', 'relu');
  await page.waitForFunction(() => location.hash.includes('act=relu'));
  await page.waitForSelector('#teach-epoch:not([disabled])');
  await clickEpochs(page, 6);
  const here = await losses();
  const link = page.url();
  assert.match(link, /#\/teach\?v=1&/);

  const fresh = await browser.newPage();
  recordErrors(fresh, pageErrors);
  await fresh.goto(link);
  await fresh.waitForSelector('#teach-epoch:not([disabled])', { timeout: LONG });
  assert.equal(await fresh.inputValue('#teach-activation'), 'relu');
  await clickEpochs(fresh, 6);
  assert.deepEqual(await losses(fresh), here);
  await fresh.close();

  assert.deepEqual(await cliLosses(link, 6), here);
});

test('a link hides the controls it names and checks its goal live', async () => {
  await open(page, 'v=1&toy=gaussians&hide=layers,features&goal_acc=0.95&goal_params=20');
  assert.equal(await page.$('#teach-layers-add'), null);
  assert.equal(await page.$('#teach-feature-x1'), null);
  assert.ok(await page.$('#teach-lr'), 'the learning rate is not hidden');
  // Gaussians with 4 and 2 units: 25 parameters, over the goal's 20.
  assert.match(await page.textContent('#teach-goal'), /test accuracy ≥ 0\.95 with ≤ 20 parameters — not yet/);
  await playUntil(0.95);
  assert.match(await page.textContent('#teach-goal'), /not yet/);
  await open(page, 'v=1&toy=gaussians&layers=2&hide=features&goal_acc=0.95&goal_params=20');
  await playUntil(0.95);
  await page.waitForSelector('#teach-goal.met');
});

test('snapshots: an earlier epoch can be shown, and training on from it replays the run', async () => {
  await open(page, 'v=1&toy=circle&points=100');
  await clickEpochs(page, 4);
  const straight = await losses();
  await page.$eval('#teach-snapshot', (input) => {
    input.value = '2';
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForSelector('#teach-viewing');
  assert.match(await page.textContent('#teach-viewing'), /epoch 2/);
  await page.click('#teach-replay');
  // The snapshot's own frame showed epoch 2 already: wait for the lesson's.
  await page.waitForSelector('#teach-viewing', { state: 'detached' });
  assert.equal(await epochs(), 2);
  assert.deepEqual(await losses(), straight.slice(0, 2));
  await clickEpochs(page, 2);
  assert.deepEqual(await losses(), straight);
});

test('points painted by hand on a blank plane train, and travel in the link', async () => {
  await open(page, 'v=1&toy=blank&layers=4&lr=0.3');
  await page.waitForSelector('#teach-paint-hint');
  const box = await page.$eval('#teach-plane', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  const at = (fx, fy) => ({ position: { x: box.w * fx, y: box.h * fy } });
  await page.selectOption('#teach-paint', '1');
  for (const [fx, fy] of [[0.2, 0.2], [0.25, 0.4], [0.2, 0.7], [0.3, 0.85]]) {
    await page.click('#teach-plane', at(fx, fy));
  }
  await page.selectOption('#teach-paint', '0');
  for (const [fx, fy] of [[0.8, 0.2], [0.75, 0.5], [0.8, 0.7], [0.7, 0.85]]) {
    await page.click('#teach-plane', at(fx, fy));
  }
  await page.waitForFunction(() => (location.hash.match(/paint=([^&]*)/)?.[1].split(',').length ?? 0) === 8);
  const painted = decodeURIComponent(page.url().match(/paint=([^&]*)/)[1]).split(',').map((p) => p.split(':').map(Number));
  // Class 1 on the left (x < 0), class 0 on the right, rounded to two decimals.
  for (const [x, y, label] of painted) {
    assert.equal(label === 1, x < 0, `${x},${y},${label}`);
    assert.equal(Math.round(x * 100) / 100, x);
  }
  await page.waitForSelector('#teach-epoch:not([disabled])');
  await playUntil(0.99);
  const link = page.url();
  const fresh = await browser.newPage();
  recordErrors(fresh, pageErrors);
  await fresh.goto(link);
  await fresh.waitForSelector('#teach-clear-paint', { timeout: LONG });
  assert.match(await fresh.$eval('#teach-clear-paint', (b) => b.parentElement.textContent), /8 painted/);
  await fresh.close();
});

/** Loads the app afresh and waits for its first sample (penguins). */
async function reloadOnPenguins() {
  await page.goto('about:blank');
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
}

/** Prepares the loaded data and opens the Teach step on it as a table. */
async function teachTheTable() {
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  await page.click('#step-teach');
  await page.waitForSelector('#teach-toy option[value="table"]', { state: 'attached', timeout: LONG });
  await page.selectOption('#teach-toy', 'table');
  await page.waitForSelector('#teach-plane-kind', { timeout: LONG });
}

/** Loads the app on its first sample (penguins), prepared, and opens the Teach step on it. */
async function openPenguins() {
  await reloadOnPenguins();
  await teachTheTable();
  await page.waitForSelector('#teach-epoch:not([disabled])');
}

test('the loaded penguins table: a PCA plane, a slice with sliders, and two columns drawn exactly', async () => {
  await openPenguins();
  assert.match(await page.textContent('#teach-axes'), /PC1 \(\d+ %\).*PC2.*% of their variance/);
  assert.match(page.url(), /table=penguins\.csv&target=species&rows=344/);
  assert.deepEqual(await page.$$eval('.teach-legend li', (items) => items.map((i) => i.textContent)),
    ['Adelie', 'Chinstrap', 'Gentoo']);
  await playUntil(0.9);
  // PCA: some points fade (they lie off the plane).
  // A slice through two numeric features, the rest held by sliders; moving one redraws the
  // plane without retraining.
  const epochBefore = await epochs();
  await page.selectOption('#teach-plane-kind', 'slice');
  await page.waitForSelector('#teach-held-0');
  assert.match(await page.textContent('#teach-axes'), /Across: bill_length_mm; up: bill_depth_mm\. A slice/);
  assert.match(page.url(), /plane=slice,bill_length_mm,bill_depth_mm/);
  const before = await page.$eval('#teach-plane', (c) => c.toDataURL());
  const slider = await page.$$eval('.teach-held label', (labels) => labels.map((l) => l.querySelector('span').textContent));
  const flipper = slider.indexOf('flipper_length_mm');
  assert.ok(flipper >= 0, slider.join(', '));
  await page.$eval(`#teach-held-${flipper}`, (input) => {
    input.value = input.max;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction((b) => document.querySelector('#teach-plane').toDataURL() !== b, before);
  assert.match(page.url(), /at=flipper_length_mm:[-\d.]+$/);
  assert.equal(await epochs(), epochBefore, 'moving the slice does not train');
  assert.match(await page.textContent('#teach-test-accuracy'), /^0\.9|^1\.0/);
  // Two columns: the network sees only them (and their crossings), the plane is exact.
  await page.selectOption('#teach-inputs', 'two');
  await page.waitForFunction(() => location.hash.includes('columns=bill_length_mm,bill_depth_mm'));
  await page.waitForSelector('#teach-feature-x1');
  await page.waitForFunction(() => document.querySelector('#teach-epoch-count').textContent === '0');
  assert.match(await page.textContent('#teach-axes'), /^Across: bill_length_mm; up: bill_depth_mm\.$/);
  await playUntil(0.9);
});

test("the Train step's model is drawn on the lesson's plane beside the network and scored on its points", async () => {
  await reloadOnPenguins();
  await teachTheTable();
  await page.waitForSelector('#teach-model-none', { timeout: LONG });
  await trainOnCpu(page, 15, LONG);
  await page.click('#step-teach');
  await page.check('#teach-show-model');
  await page.waitForSelector('#teach-model-score', { timeout: LONG });
  const score = await page.textContent('#teach-model-score');
  const [, right, testRight, tests] = score.match(/^Right on (\d+) of 344 points, (\d+) of the (\d+) test points/).map(Number);
  assert.ok(right / 344 > 0.9, score);
  assert.ok(testRight <= tests, score);
  assert.match(score, /Its class is the network's on \d+ % of this plane\./);
  // The model's plane is painted in the classes' colours, not blank.
  const colours = await page.$eval('#teach-model-plane', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 16) seen.add(`${data[i] >> 5},${data[i + 1] >> 5},${data[i + 2] >> 5}`);
    return seen.size;
  });
  assert.ok(colours >= 3, `${colours} colours`);
  // Another plane asks the model again; the network is not retrained for it.
  const before = await page.$eval('#teach-model-plane', (c) => c.toDataURL());
  const epochBefore = await epochs();
  await page.selectOption('#teach-plane-kind', 'slice');
  await page.waitForFunction((b) => document.querySelector('#teach-model-plane')?.toDataURL() !== b
    && document.querySelector('#teach-model-score'), before, { timeout: LONG });
  assert.equal(await epochs(), epochBefore);
  // Unticked, the model is no longer drawn.
  await page.uncheck('#teach-show-model');
  await page.waitForSelector('#teach-model-plane', { state: 'detached' });
});

test('a table link names its file: another file is refused in one sentence', async () => {
  await openPenguins();
  const link = page.url().replace('rows=344', 'rows=341');
  await reloadOnPenguins();
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  await page.evaluate((l) => { location.href = l; }, link);
  await page.waitForSelector('#teach-error', { timeout: LONG });
  assert.match(await page.textContent('#teach-error'),
    /made with penguins\.csv \(341 rows, target species\); this is penguins\.csv \(344 rows, target species\), not the teacher's file/);
});

test('a link that carries its file opens the lesson alone, in a fresh page and in the CLI', async () => {
  const rows = ['hours,sleep,passed'];
  for (let i = 0; i < 160; i += 1) {
    const hours = (i * 37) % 11;
    const sleep = 4 + ((i * 13) % 6);
    rows.push(`${hours},${sleep},${hours + sleep > 11 ? 'yes' : 'no'}`);
  }
  const csv = `${rows.join('\n')}\n`;
  await reloadOnPenguins();
  await page.setInputFiles('#file-input', { name: 'class-notes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForSelector('#profile[data-source="class-notes.csv"]:not(.stale)', { timeout: LONG });
  await page.selectOption('#target-select', 'passed');
  await teachTheTable();
  // The link names the file's bytes (the digest Node's own SHA-256 gives) before it holds them.
  const sha256 = createHash('sha256').update(csv).digest('hex');
  await page.waitForFunction((s) => location.hash.includes(`&sha256=${s}`), sha256);
  assert.match(page.url(), /table=class-notes\.csv&target=passed&rows=160&/);
  assert.doesNotMatch(page.url(), /&data=/);
  await page.click('.teach-classroom summary');
  await page.check('#teach-share-file');
  await page.waitForFunction(() => location.hash.includes('&data='));
  await page.waitForSelector('#teach-epoch:not([disabled])');
  await clickEpochs(page, 3);
  const here = await losses();
  const link = page.url();

  // A fresh page with nothing loaded: the link's file is the data, its target the link's.
  const fresh = await browser.newPage();
  recordErrors(fresh, pageErrors);
  await fresh.goto(link);
  await fresh.waitForSelector('#teach-plane-kind', { timeout: LONG });
  await fresh.waitForSelector('#teach-epoch:not([disabled])', { timeout: LONG });
  await clickEpochs(fresh, 3);
  assert.deepEqual(await losses(fresh), here);
  await fresh.click('#step-data');
  await fresh.waitForSelector('#profile[data-source="class-notes.csv"]:not(.stale)', { timeout: LONG });
  assert.equal(await fresh.$eval('#target-select', (select) => select.value), 'passed');
  await fresh.close();

  assert.deepEqual(await cliLosses(link, 3), here);
});

test('a bad link is named in one sentence and the step still works', async () => {
  await page.goto('about:blank');
  await page.goto(`${server.url}#/teach?v=1&lr=fast`);
  await page.waitForSelector('#teach-error');
  assert.match(await page.textContent('#teach-error'), /`lr` is `fast`/);
  await page.waitForSelector('#teach-epoch:not([disabled])', { timeout: LONG });
  await page.click('#teach-epoch');
  await page.waitForFunction(() => document.querySelector('#teach-epoch-count').textContent === '1');
});

test('keyboard only: every control is reached with Tab and works', async () => {
  await open(page);
  const wanted = ['teach-reset', 'teach-play', 'teach-batch', 'teach-epoch', 'teach-speed', 'teach-toy',
    'teach-points', 'teach-noise', 'teach-train', 'teach-new-seed', 'teach-feature-x1', 'teach-feature-sinx2',
    'teach-paint', 'teach-activation', 'teach-lr', 'teach-batch-size', 'teach-l1', 'teach-l2', 'teach-dropout',
    'teach-layers-remove', 'teach-layers-add', 'teach-units-0-add', 'teach-shown', 'teach-snapshot'];
  const reached = new Set();
  await page.focus('#step-teach');
  for (let press = 0; press < 80 && wanted.some((id) => !reached.has(id)); press += 1) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.id);
    if (id) reached.add(id);
  }
  assert.deepEqual(wanted.filter((id) => !reached.has(id)), []);
  await page.focus('#teach-epoch');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#teach-epoch-count').textContent === '1');
  await page.focus('#teach-toy');
  await page.keyboard.press('ArrowDown'); // circle → xor
  await page.waitForFunction(() => location.hash.includes('toy=xor'));
  // Painting: a class chosen, the plane is the next stop; arrows move the cursor, Enter paints.
  await page.focus('#teach-paint');
  await page.keyboard.press('ArrowDown'); // off → class 0
  await page.waitForSelector('#teach-paint-cursor');
  for (let press = 0; press < 40 && await page.evaluate(() => document.activeElement?.id) !== 'teach-plane'; press += 1) {
    await page.keyboard.press('Tab');
  }
  for (let e = 0; e < 4; e += 1) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowUp');
  assert.equal(await page.textContent('#teach-paint-at'), 'Cursor at 1.00, 1.00');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('paint=1:1:0'));
});

test('nothing panicked or threw in the page or the worker', () => {
  assert.deepEqual(pageErrors, []);
});
