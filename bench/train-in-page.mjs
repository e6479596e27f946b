// Drives the real Hearth page like a person for the browser benchmarks: upload the CSV (target
// column "label"), set the benchmark's MLP (hidden 64,64, Adam at 0.001 with a constant
// schedule, no weight decay, batch 256, no early stop), pick the device (and wait for its
// compute worker), train `epochs` epochs
// and wait for the run to end. `beforeTrain` runs just before Train is clicked.
export async function trainInPage(page, url, csv, device, epochs, beforeTrain = async () => {}, onProfile = async () => {}) {
  await page.goto(url);
  // The data worker is running once the first sample's profile shows.
  await page.waitForSelector('#profile[data-source]', { timeout: 120_000 });
  await page.setInputFiles('#file-input', csv);
  await page.waitForSelector(`#profile[data-source="${csv.split('/').pop()}"]:not(.stale)`, { timeout: 120_000 });
  await onProfile();
  await page.selectOption('#target-select', 'label');
  await page.click('#step-train');
  await page.waitForSelector('#train-button:not([disabled])', { timeout: 120_000 });
  const set = async (selector, value) => {
    await page.fill(selector, String(value));
    await page.dispatchEvent(selector, 'change');
  };
  await set('#hidden-input', '64,64');
  await page.selectOption('#optimizer-select', 'adam');
  await page.selectOption('#schedule-select', 'constant');
  await set('#lr-input', 0.001);
  await set('#weight-decay-input', 0);
  await set('#batch-input', 256);
  await set('#patience-input', 0);
  await set('#epochs-input', epochs);
  await page.selectOption('#device-select', device);
  // The Train step started a compute worker (the WebGPU one for device "gpu"): wait until its
  // device is initialised and probed, so that the epochs timed are training alone.
  const ready = device === 'gpu' ? '#device[data-state="ready"]:text("WebGPU")' : '#device[data-state="ready"]';
  await page.waitForSelector(ready, { timeout: 300_000 });
  await beforeTrain();
  await page.click('#train-button');
  await page.waitForSelector('#training[data-running="false"] #download-model', { timeout: 1_800_000 });
}
