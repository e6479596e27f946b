//! The data worker (built for wasm32 by Trunk, without burn or tract): loads, profiles and
//! prepares the page's dataset.

#[cfg(target_arch = "wasm32")]
fn main() {
    hearth::web_start::run_static_constructors();
    hearth::data_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "hearth-data-worker runs in a browser's Web Worker; build the page with `trunk build`."
    );
    std::process::exit(2);
}
