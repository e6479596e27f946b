// Serves the built app (dist/) on loopback and launches Debian's Chromium with WebGPU on
// SwiftShader. Shared by the end-to-end tests and the browser benchmark.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.csv': 'text/csv', '.json': 'application/json',
  '.md': 'text/markdown', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

/** The Content-Security-Policy that scripts/csp wrote into `root`'s index.html, if any. */
export async function pagePolicy(root) {
  const html = await readFile(join(root, 'index.html'), 'utf8').catch(() => '');
  return html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1];
}

/** Serves `root` (and `extra`, a map of URL path -> file path) on 127.0.0.1, on a free port,
 * with the page's Content-Security-Policy on every file as `hearth app` sends it (a worker
 * takes its policy from its own response). */
export async function serve(root, extra = {}) {
  const policy = await pagePolicy(root);
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
      let file = extra[path] ?? join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        ...(policy ? { 'content-security-policy': policy } : {}),
      });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

export function chromiumFlags() {
  return (process.env.CHROMIUM_FLAGS ?? '--headless=new --no-sandbox --disable-background-networking '
    + '--enable-unsafe-webgpu --enable-features=Vulkan --use-vulkan=swiftshader --enable-unsafe-swiftshader')
    .split(/\s+/).filter(Boolean);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumFlags(),
  });
}

/** Chromium with its profile in `dir`, so that what the page stores outlives the browser
 * (and a killed one: see `killBrowser`). */
export async function launchPersistent(dir) {
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumFlags(),
    acceptDownloads: true,
  });
}

/** Kills every process of the Chromium whose profile is `dir` at once (SIGKILL), as a crash or
 * a power cut would: nothing is flushed or closed on the way out. */
export async function killBrowser(dir) {
  const { execFileSync } = await import('node:child_process');
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const pids = listing.split('\n')
    .filter((line) => line.includes(`--user-data-dir=${dir}`))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => pid !== process.pid);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  return pids.length;
}

/** Records `page`'s uncaught exceptions and console errors into `errors` (each suite ends by
 * asserting there were none: a panic in the page's or the worker's wasm shows up here). */
export function recordErrors(page, errors) {
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
}

/** Trains the loaded data on the CPU for `epochs` from the Train step, as a person would, and
 * waits until that run ended with its model (an earlier run had another epoch count or ran
 * before). Fewer epochs than the default patience (20), so none stops early. */
export async function trainOnCpu(page, epochs, timeout = 120_000) {
  await page.click('#step-train');
  await page.selectOption('#device-select', 'cpu');
  await page.fill('#epochs-input', String(epochs));
  await page.dispatchEvent('#epochs-input', 'change');
  await page.click('#train-button');
  await page.waitForSelector(`#training[data-running="false"][data-epochs="${epochs}"] #download-model`, { timeout });
}

/** Starts a study from the Search step as a person would: sampler, pruner, trial and worker
 * counts, and the search space as the override JSON the space box takes. */
export async function startStudy(page, { trials, workers, space, sampler = 'random', pruner = 'none' }) {
  await page.click('#step-search');
  await page.selectOption('#sampler-select', sampler);
  await page.selectOption('#pruner-select', pruner);
  await page.fill('#trials-input', String(trials));
  await page.dispatchEvent('#trials-input', 'change');
  await page.fill('#workers-input', String(workers));
  await page.dispatchEvent('#workers-input', 'change');
  await page.click('#search-settings details summary');
  await page.fill('#space-input', space);
  await page.dispatchEvent('#space-input', 'change');
  await page.click('#search-button');
}

/** Downloads the Export step's ONNX file and has tests/onnx/check.py check it against the
 * page's own .hearth file at `model` on every row of `csv` (`kind`: the quantization), failing
 * the test with the checker's output when they disagree. Resolves to the download. */
export async function checkExportedOnnx(page, model, csv, kind) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-onnx')]);
  const checked = await checkWithOnnxruntime(model, await download.path(), csv, kind);
  assert.ok(checked.ok, checked.output);
  return download;
}

/** Runs tests/onnx/check.py on a file the page made: onnx.checker, then onnxruntime on every
 * row of the CSV against `hearth predict` of the page's own .hearth file. Resolves to
 * `{ ok, output }`. */
async function checkWithOnnxruntime(model, onnxPath, csv, kind) {
  const python = process.env.HEARTH_ONNX_PYTHON;
  const hearth = process.env.HEARTH_BIN;
  if (!python || !hearth) {
    return { ok: false, output: 'run through scripts/check, which sets HEARTH_ONNX_PYTHON and HEARTH_BIN' };
  }
  const { execFile } = await import('node:child_process');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const work = await mkdtemp(join(tmpdir(), 'hearth-onnx-'));
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'onnx', 'check.py');
  return new Promise((resolve) => {
    execFile(python, [script, '--file', hearth, model, onnxPath, csv, kind, work], (error, stdout, stderr) => {
      resolve({ ok: !error, output: stdout + stderr });
    });
  });
}
