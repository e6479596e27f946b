use yew::prelude::*;

use crate::compute::DeviceReport;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub device: Option<DeviceReport>,
    /// The compute worker has been started (it is not until a step needs it).
    pub started: bool,
}

/// Which compute device the worker initialised: "WebGPU" or "CPU", with why the GPU was not
/// used; before a step needs it, that it has not been loaded.
#[function_component(DeviceBadge)]
pub fn device_badge(props: &Props) -> Html {
    match &props.device {
        None if !props.started => html! {
            <span id="device" class="badge idle" data-state="idle"
                title="The compute engine (burn, on WebGPU or the CPU) is downloaded when a step that trains, searches or exports is first opened.">
                { "Compute loads when needed" }
            </span>
        },
        None => {
            html! { <span id="device" class="badge pending" data-state="pending">{ "Starting compute device…" }</span> }
        }
        Some(report) => {
            let title = match &report.gpu_unavailable {
                Some(reason) => format!("WebGPU unavailable: {reason}"),
                None => format!("Initialised and probed in {:.0} ms", report.millis),
            };
            let state = if report.probe_ok() {
                "ready"
            } else {
                "probe-failed"
            };
            html! {
                <span id="device" class={classes!("badge", state)} data-state={state} title={title}>
                    { report.accelerator.label() }
                    if !report.probe_ok() { { " (probe failed)" } }
                </span>
            }
        }
    }
}
