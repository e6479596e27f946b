//! Helpers shared by the suites: running the `hearth` binary with files in temporary places
//! (`cli`), reading datasets (`data`), preprocessing them (`prep`), training on them
//! (`train`) and running exported graphs in tract (`tract`). Each exists once here rather than copied into the suites that use it.

// Without `compute` the training suites are left out, and some helpers with them.
#![cfg_attr(not(feature = "compute"), allow(dead_code, unused_imports))]

mod cli;
mod data;
mod prep;
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
mod tract;
#[cfg(feature = "compute")]
mod train;

pub use cli::{
    assert_ok, assert_one_sentence_error, hearth, path_of, read, read_bytes, sample, temp_dir,
    temp_file, train_sample, write,
};
pub use data::{bundled, csv, json, names, numbers, ok, read_err, texts};
pub use prep::{assert_row_path_matches_batch, config, feature, prepare, step, try_prepare};
#[cfg(all(feature = "compute", not(target_arch = "wasm32")))]
pub use tract::tract_run;
#[cfg(feature = "compute")]
pub use train::{gpu, mlp, prepared, prepared_from, train, train_on};
