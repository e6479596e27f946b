//! Hearth: AutoML that runs entirely in the browser, and natively as the `hearth` CLI.
//!
//! Engine layers (no browser imports), each using only those before it (`scripts/arrows`
//! checks): [`data`] (CSV ingest and profile) → [`prep`] (plan, split, fitted pipeline) and
//! [`compute`] (the burn device) → [`train`] (models, trainer, `.hearth` files) → [`search`]
//! (studies, samplers, pruners) and [`compress`] (pruning, quantization) → [`export`] (ONNX)
//! → [`monitor`] (drift of new data against the training references) → `serve` (natively: the
//! exported model behind HTTP, with metrics and live drift).
//! Leaf helpers: [`clock`], [`format`](mod@format), [`rng`], [`samples`], [`stats`] (the
//! quantile). [`protocol`] is the one message type between the page and its worker. Front
//! ends: `cli` (native), and on wasm32 `ui` (the Yew page), its Web Workers (`data_worker`:
//! load, profile, prepare; `worker`: train, search, export; `use_worker`; `teach_worker`) and
//! `web_file` and `web_gpu`. ARCHITECTURE.md says what each layer uses.

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod clock;
pub mod compress;
pub mod compute;
pub mod data;
pub mod explain;
pub mod export;
pub mod format;
pub mod infer;
pub mod monitor;
pub mod prep;
pub mod protocol;
pub mod rng;
pub mod samples;
pub mod search;
#[cfg(all(not(target_arch = "wasm32"), feature = "compute", feature = "onnx"))]
pub mod serve;
pub mod stats;
pub mod teach;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod data_worker;
#[cfg(target_arch = "wasm32")]
pub mod teach_worker;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(all(target_arch = "wasm32", feature = "onnx"))]
pub mod use_worker;
#[cfg(target_arch = "wasm32")]
pub mod web_file;
#[cfg(target_arch = "wasm32")]
pub mod web_gpu;
#[cfg(target_arch = "wasm32")]
pub mod web_start;
#[cfg(target_arch = "wasm32")]
pub mod web_worker;
#[cfg(all(target_arch = "wasm32", feature = "compute"))]
pub mod worker;
