//! Every native integration-test suite in one binary: linking burn, wgpu and tract once instead
//! of once per suite is most of the test build's time and disk. `tests/browser.rs` stays its own
//! target because it runs in a browser under wasm-bindgen-test.
//!
//! Each module is one suite; `support` holds the helpers they share. Run one suite with
//! `cargo test --test it <suite>::` (e.g. `cargo test --test it prep_edge::`).
// Tests stop loudly: unwrap, expect and panic are how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod app_server;
mod cli;
#[cfg(feature = "compute")]
mod compress;
#[cfg(feature = "compute")]
mod compute;
mod data_chunks;
mod data_ingest;
mod data_profile;
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
mod ensemble;
#[cfg(feature = "compute")]
mod explain;
#[cfg(feature = "compute")]
mod export_cli;
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
mod export_tract;
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
mod infer;
#[cfg(feature = "compute")]
mod monitor;
mod prep_cli;
mod prep_edge;
mod prep_leakage;
mod prep_overrides;
mod prep_pipeline;
#[cfg(feature = "compute")]
mod privacy;
#[cfg(all(feature = "compute", feature = "onnx", not(target_arch = "wasm32")))]
mod properties;
#[cfg(feature = "compute")]
mod search_cli;
mod search_samplers;
#[cfg(all(feature = "compute", feature = "onnx", not(target_arch = "wasm32")))]
mod serve;
mod teach;
#[cfg(feature = "compute")]
mod train_cli;
#[cfg(feature = "compute")]
mod train_engine;
mod train_gbdt;
mod train_handover;
#[cfg(feature = "compute")]
mod train_learning;
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
mod train_newton;
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
mod train_trees;
#[cfg(feature = "compute")]
mod train_wgpu;
