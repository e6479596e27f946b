//! The page (built for wasm32 by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    hearth::web_start::run_static_constructors();
    hearth::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("hearth-app is the web page; serve it with `trunk serve` (see README).");
    std::process::exit(2);
}
