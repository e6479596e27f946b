//! The Teach step's Web Worker (built for wasm32 by Trunk, without burn or tract).

#[cfg(target_arch = "wasm32")]
fn main() {
    hearth::web_start::run_static_constructors();
    hearth::teach_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "hearth-teach-worker runs in a browser's Web Worker; build the page with `trunk build`."
    );
    std::process::exit(2);
}
