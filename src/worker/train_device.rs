//! What the training path needs to know about the browser's WebGPU before choosing a device.

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

/// The software renderer behind the browser's default WebGPU adapter ("swiftshader"), or
/// `None` when the adapter is a real GPU or cannot be asked. Timing such an adapter costs
/// seconds of kernel compilation and slow steps before the first epoch, only to lose to the
/// CPU, so "auto" skips it.
pub async fn software_adapter() -> Option<String> {
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
    named.or_else(|| flagged.then(|| "a software renderer".to_string()))
}
