// Takes the README's screenshot of the built app: node tests/e2e/screenshot.mjs DIST OUT.png
import { launch, serve } from './harness.mjs';

const [dist, out] = process.argv.slice(2);
const server = await serve(dist);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector('#profile[data-source="penguins.csv"]:not(.stale)', { timeout: 120000 });
  await page.waitForSelector('#device:not([data-state="pending"])', { timeout: 240000 });
  await page.screenshot({ path: out, fullPage: false });
} finally {
  await browser.close();
  server.close();
}
