//! The first call of every wasm entry point (the page and each worker): run the module's
//! static constructors, once.
//!
//! Some dependencies register things from static constructors: cubecl and pliron fill their
//! kernel and dialect registries with `inventory` (4,892 constructors in the WebGPU worker), and
//! tract a few of its own. Unless a program calls `__wasm_call_ctors` itself, wasm-ld links it
//! as a "command" and runs every constructor at the start of *every* export, and each JS value
//! the module creates reaches it through one (`__externref_table_alloc`): with messages built
//! value by value by serde-wasm-bindgen, 0.74 ms a value in the WebGPU worker, 15 s for an
//! answer naming 20,000 columns, against 0.7 µs with this call (`bench/message-cost.mjs`,
//! BENCHMARKS.md). inventory's documentation gives this call as the remedy. A reference to
//! `__wasm_call_ctors` anywhere in the linked code is what tells the linker, so it holds for
//! every binary of this crate, and every entry point must call this first, whether or not its
//! dependencies have constructors today.

/// Runs the module's static constructors. Call once, first, from each wasm `main`.
#[allow(unsafe_code)]
pub fn run_static_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: wasm-ld defines this function in every module it links; it only runs the
    // registrations the crates declared. Called once, first thing in the entry point, before
    // anything reads a registry.
    unsafe { __wasm_call_ctors() }
}
