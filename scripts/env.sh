# Sourced by the other scripts: where builds and tools live.
# Builds go outside the clone so that a fresh clone (as in CI) rebuilds incrementally.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hearth/target}"
# wasm-opt from npm's binaryen (tools/binaryen, installed by scripts/setup), which Trunk.toml pins.
HEARTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$HEARTH_ROOT/tools/binaryen/node_modules/.bin:$PATH"
TRUNK_VERSION=0.22.1
# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"/\1/p}' "$HEARTH_ROOT/Cargo.lock")
# Headless Chromium with WebGPU through SwiftShader (without these flags there is no adapter).
CHROMIUM_FLAGS="--headless=new --no-sandbox --disable-background-networking --disable-component-update \
--disable-sync --no-first-run --enable-unsafe-webgpu --enable-features=Vulkan --use-vulkan=swiftshader \
--enable-unsafe-swiftshader"
export CHROMIUM_FLAGS TRUNK_VERSION WASM_BINDGEN_VERSION
