use yew::prelude::*;

use crate::compute::DeviceReport;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub device: Option<DeviceReport>,
}

/// Which compute device the worker initialised: "WebGPU" or "CPU", with why the GPU was not used.
#[function_component(DeviceBadge)]
pub fn device_badge(props: &Props) -> Html {
    match &props.device {
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
