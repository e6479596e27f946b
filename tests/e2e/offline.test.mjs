// End-to-end: after one visit the app opens and trains with no network (its service worker,
// scripts/offline), and a new build is picked up on the next online visit.
// The built app is copied to a temporary folder, so that the test can turn it into "the next
// build" (a changed page and service worker) while the browser holds the first one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, recordErrors, serve, trainOnCpu } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const LONG = 60_000;

let root, server, browser, context, page;
const pageErrors = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hearth-offline-'));
  await cp(dist, root, { recursive: true });
  server = await serve(root);
  browser = await launch();
  context = await browser.newContext();
  page = await context.newPage();
  recordErrors(page, pageErrors);
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** The cache names and how many files each holds, once the service worker is active. */
async function cached() {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    const names = await caches.keys();
    return Promise.all(names.map(async (name) => ({ name, files: (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname) })));
  });
}

test('the first visit installs the app for offline use once the profile shows', async () => {
  const caches = await cached();
  assert.equal(caches.length, 1, JSON.stringify(caches.map((c) => c.name)));
  const files = caches[0].files;
  for (const needed of [/^\/$/, /hearth-app-[0-9a-f]+_bg\.wasm$/, /hearth-data-worker-[0-9a-f]+_bg\.wasm$/,
    /hearth-worker-[0-9a-f]+_bg\.wasm$/, /\/static\/penguins\.csv$/, /manifest\.webmanifest$/]) {
    assert.ok(files.some((f) => needed.test(f)), `${needed} is not cached: ${files.join(' ')}`);
  }
  // The WebGPU and Use-step workers are cached when first used, not installed up front.
  assert.ok(!files.some((f) => /hearth-(gpu|use)-worker/.test(f)), files.join(' '));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: LONG });
});

test('with the network cut, a reload opens the app, profiles the sample and trains', async () => {
  await context.setOffline(true);
  try {
    const failed = await page.evaluate(() => fetch('/static/iris.csv?nocache', { cache: 'no-store' }).then(() => false, () => true));
    assert.ok(failed, 'the network is cut');
    await page.reload();
    await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: LONG });
    await page.selectOption('#sample-select', 'iris.csv');
    await page.waitForSelector('#profile[data-source="iris.csv"]:not(.stale)', { timeout: LONG });
    await trainOnCpu(page, 3, LONG);
    const epochs = await page.$eval('#training', (section) => Number(section.dataset.epochs));
    assert.equal(epochs, 3);
  } finally {
    await context.setOffline(false);
  }
});

test('a new build is picked up on the next online visit, and the old one\'s cache is dropped', async () => {
  const [before] = await cached();
  // "The next build": a changed page and a changed service worker (its build id).
  const html = await readFile(join(root, 'index.html'), 'utf8');
  await writeFile(join(root, 'index.html'), html.replace('</head>', '<meta name="hearth-test-build" content="next" /></head>'));
  const sw = await readFile(join(root, 'sw.js'), 'utf8');
  const next = sw.replaceAll(/hearth-[0-9a-f]{16}'/g, "hearth-0000000000000001'");
  assert.notEqual(next, sw);
  await writeFile(join(root, 'sw.js'), next);

  await page.goto(server.url);
  await page.waitForSelector('#profile:not(.stale)', { timeout: LONG });
  assert.equal(await page.$eval('meta[name="hearth-test-build"]', (m) => m.content), 'next', 'the page came from the network');
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  let names = [];
  for (const started = Date.now(); Date.now() - started < LONG; await new Promise((r) => setTimeout(r, 200))) {
    names = await page.evaluate(() => caches.keys());
    if (names.length === 1 && names[0] === 'hearth-0000000000000001') break;
  }
  assert.deepEqual(names, ['hearth-0000000000000001']);
  assert.notEqual(before.name, 'hearth-0000000000000001');
});

test('nothing panicked or threw in the page or the workers', () => {
  // Offline, the browser logs the failed revalidation of the page (served from the cache).
  assert.deepEqual(pageErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
});
