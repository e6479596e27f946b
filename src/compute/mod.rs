//! The compute device that training runs on: WebGPU (through burn's wgpu runtime) where the
//! platform has an adapter, burn's CPU device (`flex`) otherwise.
//!
//! The report types live outside the `compute` feature so that the page, which is built without
//! burn, can show what the worker chose.

use serde::{Deserialize, Serialize};

#[cfg(feature = "compute")]
mod device;
#[cfg(all(feature = "compute", not(feature = "cpu")))]
pub use device::init_gpu_only;
#[cfg(feature = "compute")]
pub use device::{ComputeError, init_wgpu, is_cpu, probe};
#[cfg(feature = "cpu")]
pub use device::{init_cpu, init_preferred};

/// Which kind of device burn runs on.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accelerator {
    /// burn's wgpu runtime: WebGPU in a browser, Vulkan/Metal/DX12 natively.
    Gpu,
    /// burn's pure-Rust CPU device (`flex`).
    Cpu,
}

impl Accelerator {
    /// The name shown to the user: "WebGPU" in a browser, "GPU (wgpu)" natively, "CPU".
    pub fn label(self) -> &'static str {
        match self {
            Accelerator::Gpu if cfg!(target_arch = "wasm32") => "WebGPU",
            Accelerator::Gpu => "GPU (wgpu)",
            Accelerator::Cpu => "CPU",
        }
    }
}

/// What device initialisation found, shown in the page header and by `hearth device`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeviceReport {
    pub accelerator: Accelerator,
    /// Why the GPU was not used, when it was wanted and failed.
    pub gpu_unavailable: Option<String>,
    /// The probe computation's result as read back from the device; see [`PROBE_EXPECTED`].
    pub probe: Vec<f32>,
    /// Milliseconds spent initialising the device and running the probe (includes shader
    /// compilation, which dominates on WebGPU).
    pub millis: f64,
}

impl DeviceReport {
    /// Whether the probe read back exactly what it should: proves the device computes, not just
    /// that it initialised.
    pub fn probe_ok(&self) -> bool {
        self.probe == PROBE_EXPECTED
    }
}

/// `[[1,2],[3,4]] · [[1,2],[3,4]] + 1`, flattened: a matmul and an elementwise op, so that both
/// kernel kinds compile and run before the user relies on the device.
pub const PROBE_EXPECTED: [f32; 4] = [8.0, 11.0, 16.0, 23.0];
