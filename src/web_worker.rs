//! What the Web Workers do the same way: post a [`Response`] to the page, read a user's CSV
//! file in chunks with progress, measure their memory.

use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File};

use crate::data::{DataError, Dataset, Ingest};
use crate::protocol::{DialectChoice, Envelope, PAGE_MAX_BYTES, Response};
use crate::web_file;

/// Bytes handed to the parser at a time: large enough that crossing into JS for each read is
/// negligible, small enough that progress updates are frequent and memory stays flat.
pub const CHUNK_BYTES: usize = 4 * 1024 * 1024;

pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends `response` to the page (a failure to serialise it goes to the console).
pub fn post(response: Response) {
    match Envelope::new(response).to_js() {
        Ok(value) => {
            if let Err(error) = scope().post_message(&value) {
                web_sys::console::error_1(&error);
            }
        }
        Err(error) => web_sys::console::error_1(&error.into()),
    }
}

/// Sends `response` with `floats` beside it in a `Float32Array` whose buffer is transferred
/// (it moves to the page, no second copy stays here).
pub fn post_floats(response: Response, floats: &[f32]) {
    let array = js_sys::Float32Array::from(floats);
    let mut envelope = Envelope::new(response);
    envelope.floats = Some(array.clone());
    let sent = envelope.to_js().and_then(|value| {
        scope()
            .post_message_with_transfer(&value, &js_sys::Array::of1(&array.buffer()))
            .map_err(|error| format!("{error:?}"))
    });
    if let Err(error) = sent {
        web_sys::console::error_1(&error.into());
    }
}

/// Refuses a file over the page's limit before reading it: the limit protects the heap.
pub fn check_size(name: &str, size: u64) -> Result<(), String> {
    if size > PAGE_MAX_BYTES {
        let error = DataError::TooLarge {
            file: name.to_string(),
            size,
            limit: PAGE_MAX_BYTES,
            at_least: false,
        };
        return Err(error.to_string());
    }
    Ok(())
}

/// Parses `file` chunk by chunk, posting "Reading NAME" progress.
pub fn read_csv_file(file: &File, dialect: &DialectChoice) -> Result<Dataset, String> {
    let name = file.name();
    let total = file.size() as u64;
    check_size(&name, total)?;
    let task = format!("Reading {name}");
    let mut ingest = Ingest::new(&name, dialect.to_options(PAGE_MAX_BYTES));
    ingest.set_size_hint(total);
    web_file::read_in_chunks(file, CHUNK_BYTES, |chunk, done| {
        ingest.push(chunk).map_err(|error| error.to_string())?;
        post(Response::Progress {
            task: task.clone(),
            done: done as f64,
            total: total as f64,
        });
        Ok(())
    })
    .map_err(|error| match error {
        web_file::ChunkError::Read(error) => format!("{name} could not be read: {error}."),
        web_file::ChunkError::Consumer(message) => message,
    })?;
    ingest.finish().map_err(|error| error.to_string())
}

/// The worker's wasm memory in bytes (what the page shows beside a profile).
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            f64::from(
                memory
                    .buffer()
                    .unchecked_into::<js_sys::ArrayBuffer>()
                    .byte_length(),
            )
        })
        .unwrap_or(0.0)
}
