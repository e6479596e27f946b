// End-to-end: the app as `bash scripts/serve` serves it — the real `hearth app` server
// ($HEARTH_BIN) on the real release build ($HEARTH_DIST, default ../../dist) — visited twice
// in Debian's Chromium with a real on-disk profile, as a user's browser would: everything
// compressed, content-hashed names cached for good, index.html revalidated, no live reload.
// It prints the bytes each visit transferred (BENCHMARKS.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumFlags } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEARTH_DIST ?? join(here, '..', '..', 'dist');
const bin = process.env.HEARTH_BIN;
const LONG = 120_000;
// The server compresses the 25 MB worker before it listens; a debug build takes a while.
const SERVER_START = 600_000;
// Trunk's names (hearth-app-HASH_bg.wasm, style-HASH.css) and scripts/hash-worker's.
const HASHED = /-[0-9a-f]{12,64}(_bg|_loader)?\.(js|wasm|css)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

let server, context, profileDir;
let first, second;

/** Starts `hearth app --port 0` on dist/ and resolves with its URL once it listens. */
function startServer() {
  assert.ok(bin, 'HEARTH_BIN must name the hearth binary');
  const child = spawn(bin, ['app', '--dir', dist, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hearth app printed no URL in time: ${output}`)), SERVER_START);
    const read = (chunk) => {
      output += chunk;
      const url = output.match(/http:\/\/\S+\//);
      if (url) {
        clearTimeout(timer);
        resolve({ url: url[0], output, close: () => child.kill() });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hearth app exited (${code}): ${output}`));
    });
  });
}

/** Resource Timing entries of a page or worker: what the browser itself counts as transferred. */
function timings() {
  return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map((entry) => ({ url: entry.name, transferred: entry.transferSize, decoded: entry.decodedBodySize }));
}

/** Opens the app in a new tab until the bundled sample's profile shows; records the traffic. */
async function visit(url) {
  const page = await context.newPage();
  const responses = [];
  const sockets = [];
  const pending = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  // Requests of the page and of its workers (Playwright reports both on the page).
  page.on('response', (response) => pending.push((async () => {
    responses.push({ url: response.url(), status: response.status(), headers: await response.allHeaders() });
  })().catch(() => {})));
  await page.goto(url);
  await page.waitForSelector('#profile[data-source]', { timeout: LONG });
  // Milliseconds from the navigation's start to the profile in the DOM (polled: within ~100 ms).
  const profileMs = await page.evaluate(() => performance.now());
  await Promise.all(pending);
  const entries = await page.evaluate(timings);
  for (const worker of page.workers()) entries.push(...await worker.evaluate(timings));
  await page.close();
  const transferred = entries.reduce((sum, entry) => sum + entry.transferred, 0);
  const decoded = entries.reduce((sum, entry) => sum + entry.decoded, 0);
  return { responses, sockets, entries, transferred, decoded, profileMs };
}

const path = (url) => new URL(url).pathname;
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

before(async () => {
  server = await startServer();
  // A persistent profile has the on-disk HTTP cache a user's browser has.
  profileDir = await mkdtemp(join(tmpdir(), 'hearth-serve-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumFlags(),
  });
  first = await visit(server.url);
  second = await visit(server.url);
});

after(async () => {
  await context?.close();
  server?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

test('every script and wasm file comes compressed, wasm as application/wasm', () => {
  const code = first.responses.filter((r) => /\.(js|wasm)$/.test(path(r.url)));
  assert.ok(code.some((r) => path(r.url).endsWith('.wasm')), 'no wasm was requested');
  for (const response of code) {
    assert.equal(response.status, 200, response.url);
    // The server sends a file as it is only where compressing would not make it smaller (the
    // worker's 110-byte loader, perhaps): then its Content-Length is its whole size.
    const encoding = response.headers['content-encoding'];
    if (!encoding) assert.ok(Number(response.headers['content-length']) < 1024, `${response.url} came uncompressed`);
    else assert.match(encoding, /^(br|gzip)$/, response.url);
    if (response.url.endsWith('.wasm')) assert.equal(response.headers['content-type'], 'application/wasm');
  }
});

test('the worker files have content-hashed names and are cached for a year', () => {
  const worker = first.responses.filter((r) => path(r.url).includes('hearth-data-worker'));
  const kinds = worker.map((r) => path(r.url).replace(/^.*hearth-data-worker-[0-9a-f]+/, ''));
  for (const kind of ['_loader.js', '.js', '_bg.wasm']) assert.ok(kinds.includes(kind), `no worker ${kind}: ${kinds}`);
  for (const response of worker) {
    assert.match(path(response.url), HASHED);
    assert.equal(response.headers['cache-control'], IMMUTABLE, response.url);
  }
  for (const response of first.responses.filter((r) => HASHED.test(path(r.url)))) {
    assert.equal(response.headers['cache-control'], IMMUTABLE, response.url);
  }
});

test('the compute worker (burn) is not downloaded before the profile shows', () => {
  assert.deepEqual(first.responses.filter((r) => /hearth-worker/.test(path(r.url))).map((r) => r.url), []);
});

test('the Use step\'s worker (tract) is not downloaded until the step is shown', () => {
  assert.deepEqual(first.responses.filter((r) => path(r.url).includes('hearth-use-worker')).map((r) => r.url), []);
});

test('the Teach step\'s worker is not downloaded until the step is shown', () => {
  assert.deepEqual(first.responses.filter((r) => path(r.url).includes('hearth-teach-worker')).map((r) => r.url), []);
});

test('index.html is revalidated on every visit, and nothing opens a live-reload socket', () => {
  const pages = first.responses.filter((r) => path(r.url) === '/' || path(r.url) === '/index.html');
  assert.ok(pages.length > 0);
  for (const response of pages) assert.equal(response.headers['cache-control'], 'no-cache');
  assert.deepEqual([...first.sockets, ...second.sockets], []);
});

test('a second visit transfers only revalidations: the hashed files come from the cache', (t) => {
  const hashed = second.entries.filter((entry) => HASHED.test(path(entry.url)));
  assert.ok(hashed.some((entry) => entry.url.endsWith('.wasm')), 'the second visit loaded no wasm');
  for (const entry of hashed) assert.equal(entry.transferred, 0, `${entry.url} was downloaded again`);
  t.diagnostic(`first visit: ${kB(first.transferred)} transferred for ${kB(first.decoded)} of files `
    + `(${first.entries.length} requests); second visit: ${kB(second.transferred)} transferred`);
  console.log(`serve: first visit ${first.transferred} bytes transferred (${first.decoded} decoded), `
    + `profile shown ${first.profileMs.toFixed(0)} ms after navigation; second visit ${second.transferred} bytes, `
    + `profile ${second.profileMs.toFixed(0)} ms`);
  assert.ok(first.transferred < first.decoded / 2, 'the first visit was not compressed');
  // The first visit ends when the bundled sample's profile shows: the page and the data worker,
  // no burn (issue 15's budget for a profile).
  assert.ok(first.transferred < 1_500_000, `${first.transferred} bytes until the first profile`);
  assert.ok(second.transferred < 50_000, `the second visit transferred ${second.transferred} bytes`);
});
