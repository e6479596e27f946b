//! The compute worker (built for wasm32 by Trunk, with the `compute` feature: burn on the CPU):
//! training, search trials and export. `hearth-gpu-worker` is the same with WebGPU.

#[cfg(all(target_arch = "wasm32", feature = "compute"))]
fn main() {
    hearth::web_start::run_static_constructors();
    hearth::worker::start();
}

#[cfg(not(all(target_arch = "wasm32", feature = "compute")))]
fn main() {
    eprintln!("hearth-worker runs in a browser's Web Worker; build the page with `trunk build`.");
    std::process::exit(2);
}
