//! The compute worker with burn's wgpu runtime (built for wasm32 by Trunk, with the `gpu`
//! feature): started instead of `hearth-worker` when training is to run on WebGPU.

#[cfg(all(target_arch = "wasm32", feature = "compute"))]
fn main() {
    hearth::web_start::run_static_constructors();
    hearth::worker::start();
}

#[cfg(not(all(target_arch = "wasm32", feature = "compute")))]
fn main() {
    eprintln!(
        "hearth-gpu-worker runs in a browser's Web Worker; build the page with `trunk build`."
    );
    std::process::exit(2);
}
