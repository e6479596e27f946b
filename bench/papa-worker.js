importScripts('papaparse.min.js');
onmessage = (event) => {
  const { file, chunkSize, header } = event.data;
  const started = performance.now();
  let rows = 0;
  let checksum = 0;
  Papa.parse(file, {
    header,
    dynamicTyping: true,
    skipEmptyLines: true,
    chunkSize,
    chunk: (results) => {
      rows += results.data.length;
      // Touch one typed value per row so the work cannot be skipped.
      const key = header ? results.meta.fields[0] : 0;
      for (const row of results.data) { const v = row[key]; if (typeof v === 'number') checksum += v; }
    },
    complete: () => postMessage({ millis: performance.now() - started, rows, checksum }),
    error: (error) => postMessage({ error: String(error) }),
  });
};
