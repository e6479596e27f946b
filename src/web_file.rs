//! Reading a user's `File` (or any `Blob`) in a Web Worker, chunk by chunk, so a file of
//! hundreds of megabytes never has to sit in memory whole.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, FileReaderSync};

/// Calls `each(chunk, bytes_done)` for consecutive slices of `blob`, `chunk_bytes` at a time.
/// `FileReaderSync` exists only in workers: on the page's thread this returns an error.
pub fn read_in_chunks(
    blob: &Blob,
    chunk_bytes: usize,
    mut each: impl FnMut(&[u8], u64) -> Result<(), String>,
) -> Result<(), String> {
    let reader = FileReaderSync::new().map_err(describe)?;
    let total = blob.size() as u64;
    let step = chunk_bytes.max(1) as u64;
    let mut buffer = Vec::new();
    let mut offset = 0u64;
    while offset < total {
        let end = (offset + step).min(total);
        let slice = blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(describe)?;
        let read = reader.read_as_array_buffer(&slice).map_err(describe)?;
        let array = js_sys::Uint8Array::new(read.as_ref());
        buffer.resize(array.length() as usize, 0);
        array.copy_to(&mut buffer);
        each(&buffer, end)?;
        offset = end;
    }
    Ok(())
}

/// The message of a JS exception, or its debug form.
pub fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
