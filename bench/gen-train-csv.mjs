// Writes the training benchmark's CSV: ROWS rows of 20 standard-normal-ish features and a binary
// label from a fixed linear rule plus noise (deterministic: a 32-bit LCG, seed 42). The e2e ETA
// test imports trainCsv for the same kind of data.
// Usage: node bench/gen-train-csv.mjs OUT.csv [ROWS]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The CSV text of `rows` rows. */
export function trainCsv(rows) {
  let state = 42;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const normal = () => uniform() + uniform() + uniform() - 1.5;
  const weights = Array.from({ length: 20 }, (_, j) => ((j % 5) - 2) / 2);
  const lines = [[...Array.from({ length: 20 }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: 20 }, normal);
    const score = x.reduce((sum, v, j) => sum + v * weights[j], 0) + 0.3 * normal();
    lines.push([...x.map((v) => v.toFixed(4)), score > 0 ? 'yes' : 'no'].join(','));
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, rowsArg] = process.argv.slice(2);
  const rows = Number(rowsArg ?? 50000);
  writeFileSync(out, trainCsv(rows));
  console.log(`wrote ${rows} rows to ${out}`);
}
