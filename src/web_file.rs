//! Reading a user's `File` (or any `Blob`) in a Web Worker, chunk by chunk, so a file of
//! hundreds of megabytes never has to sit in memory whole.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, FileReaderSync};

/// Why [`read_in_chunks`] stopped: the browser could not read the blob, or `each` refused a
/// chunk. Kept apart so the caller words each once (a consumer's message is already a whole
/// sentence naming the file; wrapping it again would name the file twice).
#[derive(Debug, Clone, PartialEq)]
pub enum ChunkError<E> {
    /// The browser's reader failed; its message, without a full stop.
    Read(String),
    /// `each` returned this error.
    Consumer(E),
}

/// Calls `each(chunk, bytes_done)` for consecutive slices of `blob`, `chunk_bytes` at a time.
/// `FileReaderSync` exists only in workers: on the page's thread this returns an error.
pub fn read_in_chunks<E>(
    blob: &Blob,
    chunk_bytes: usize,
    mut each: impl FnMut(&[u8], u64) -> Result<(), E>,
) -> Result<(), ChunkError<E>> {
    let read_error = |error: JsValue| ChunkError::Read(describe(error));
    let reader = FileReaderSync::new().map_err(read_error)?;
    let total = blob.size() as u64;
    let step = chunk_bytes.max(1) as u64;
    let mut buffer = Vec::new();
    let mut offset = 0u64;
    while offset < total {
        let end = (offset + step).min(total);
        let slice = blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(read_error)?;
        let read = reader.read_as_array_buffer(&slice).map_err(read_error)?;
        let array = js_sys::Uint8Array::new(read.as_ref());
        buffer.resize(array.length() as usize, 0);
        array.copy_to(&mut buffer);
        each(&buffer, end).map_err(ChunkError::Consumer)?;
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
