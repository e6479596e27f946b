//! The Use step's Web Worker (built for wasm32 by Trunk, with the `onnx` feature only).

#[cfg(all(target_arch = "wasm32", feature = "onnx"))]
fn main() {
    hearth::web_start::run_static_constructors();
    hearth::use_worker::start();
}

#[cfg(not(all(target_arch = "wasm32", feature = "onnx")))]
fn main() {
    eprintln!(
        "hearth-use-worker runs in a browser's Web Worker; build the page with `trunk build`."
    );
    std::process::exit(2);
}
