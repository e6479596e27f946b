//! `hearth`, the command-line tool: the same engine as the page, natively.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    hearth::cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
