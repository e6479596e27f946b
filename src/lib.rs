//! Hearth: AutoML that runs entirely in the browser, and natively as the `hearth` CLI.
//!
//! Engine layers (no browser imports): [`data`] (CSV ingest and profile) and [`compute`] (the
//! burn device). [`protocol`] is the one message type between the page and its worker;
//! `ui` (the Yew page) and `worker` (the Web Worker running the engine) exist only on wasm32.

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod clock;
pub mod compress;
pub mod compute;
pub mod data;
pub mod export;
pub mod format;
pub mod prep;
pub mod protocol;
pub mod rng;
pub mod samples;
pub mod search;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web_file;
#[cfg(all(target_arch = "wasm32", feature = "compute"))]
pub mod worker;
