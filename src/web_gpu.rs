//! What the browser's default WebGPU adapter is, asked without burn: the page decides from it
//! which compute worker to start (the CPU one, or the one with burn's wgpu runtime), and the
//! compute worker's "auto" skips timing a software GPU.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Names of GPU drivers that draw on the CPU: WebGPU on them is a CPU doing a GPU's job
/// through an emulation layer, far slower than burn's own CPU device.
const SOFTWARE_RENDERERS: [&str; 5] = [
    "swiftshader",
    "llvmpipe",
    "lavapipe",
    "softpipe",
    "microsoft basic render",
];

/// The browser's default WebGPU adapter, as far as choosing a device goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GpuAdapter {
    /// No WebGPU, or no adapter.
    Missing,
    /// A software renderer ("swiftshader"): WebGPU on it is a CPU doing a GPU's job through an
    /// emulation layer, far slower than burn's own CPU device. Timing it costs seconds of
    /// kernel compilation and slow steps before the first epoch, only to lose to the CPU.
    Software(String),
    /// A GPU.
    Hardware,
}

/// Asks `navigator.gpu` (in the page or a worker) for its default adapter and its info.
pub async fn default_adapter() -> GpuAdapter {
    adapter_renderer().await.unwrap_or(GpuAdapter::Missing)
}

/// `None` when there is no adapter.
async fn adapter_renderer() -> Option<GpuAdapter> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into())
        .ok()
        .filter(|gpu| gpu.is_object())?;
    let request: Function = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise).await.ok()?;
    if !adapter.is_object() {
        return None;
    }
    let info = Reflect::get(&adapter, &"info".into())
        .ok()
        .filter(JsValue::is_object);
    let text = |name: &str| {
        info.as_ref()
            .and_then(|info| Reflect::get(info, &name.into()).ok())
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    let fallback = |object: &JsValue| {
        Reflect::get(object, &"isFallbackAdapter".into())
            .ok()
            .and_then(|value| value.as_bool())
            .unwrap_or(false)
    };
    let (architecture, description) = (text("architecture"), text("description"));
    let named = SOFTWARE_RENDERERS
        .iter()
        .find(|name| {
            architecture.to_lowercase().contains(*name)
                || description.to_lowercase().contains(*name)
        })
        .map(|name| name.to_string());
    // Older browsers flag the adapter itself, newer ones its info.
    let flagged = fallback(&adapter) || info.as_ref().is_some_and(fallback);
    Some(
        match named.or_else(|| flagged.then(|| "a software renderer".to_string())) {
            Some(renderer) => GpuAdapter::Software(renderer),
            None => GpuAdapter::Hardware,
        },
    )
}
