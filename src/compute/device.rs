use burn::tensor::{Device, Tensor};

use super::{Accelerator, DeviceReport};
use crate::clock::Stopwatch;

/// Why a device could not be used.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum ComputeError {
    #[error("no usable GPU adapter: {0}")]
    NoGpu(String),
    /// The page's CPU compute worker is built without burn's wgpu runtime; the page starts
    /// the WebGPU worker when training asks for the GPU.
    #[error("burn's WebGPU runtime is loaded only when training asks for WebGPU")]
    NotBuilt,
    #[error("reading a result back from the {device} device failed: {reason}")]
    Readback {
        device: &'static str,
        reason: String,
    },
}

/// burn's CPU device. Always available where it is built (not in the page's WebGPU worker,
/// which only trains on the GPU).
#[cfg(feature = "cpu")]
pub fn init_cpu() -> Device {
    Device::flex()
}

/// burn's wgpu device. In a browser this must run before any tensor is created on it.
#[cfg(feature = "gpu")]
pub async fn init_wgpu() -> Result<Device, ComputeError> {
    Device::wgpu_options()
        .init_async()
        .await
        .map_err(|error| ComputeError::NoGpu(error.to_string()))
}

/// A build without burn's wgpu runtime (the page's CPU worker) has no GPU device.
#[cfg(not(feature = "gpu"))]
pub async fn init_wgpu() -> Result<Device, ComputeError> {
    Err(ComputeError::NotBuilt)
}

/// Runs [`super::PROBE_EXPECTED`]'s computation on `device` and reads it back asynchronously
/// (a synchronous readback panics in a browser).
pub async fn probe(device: &Device) -> Result<Vec<f32>, ComputeError> {
    let name = device_name(device);
    let a = Tensor::<2>::from_floats([[1.0, 2.0], [3.0, 4.0]], device);
    let product = a.clone().matmul(a).add_scalar(1.0);
    let data = product
        .into_data_async()
        .await
        .map_err(|error| ComputeError::Readback {
            device: name,
            reason: format!("{error:?}"),
        })?;
    data.try_to_vec::<f32>()
        .map_err(|error| ComputeError::Readback {
            device: name,
            reason: format!("{error:?}"),
        })
}

/// Prefers the GPU; falls back to the CPU when no adapter is found or the GPU's probe fails.
#[cfg(feature = "cpu")]
pub async fn init_preferred() -> (Device, DeviceReport) {
    let clock = Stopwatch::start();
    let gpu_unavailable = match init_gpu_probed().await {
        Ok((device, probe)) => {
            let report = DeviceReport {
                accelerator: Accelerator::Gpu,
                gpu_unavailable: None,
                probe,
                millis: clock.elapsed_ms(),
            };
            return (device, report);
        }
        Err(error) => error.to_string(),
    };
    let device = init_cpu();
    let probe = probe(&device).await.unwrap_or_default();
    let report = DeviceReport {
        accelerator: Accelerator::Cpu,
        gpu_unavailable: Some(gpu_unavailable),
        probe,
        millis: clock.elapsed_ms(),
    };
    (device, report)
}

/// The GPU or nothing (the page's WebGPU worker, built without the CPU device): the report
/// says `Cpu` with why the GPU is unavailable when it is, since the CPU worker beside it then
/// does the work.
#[cfg(not(feature = "cpu"))]
pub async fn init_gpu_only() -> (Option<Device>, DeviceReport) {
    let clock = Stopwatch::start();
    let (device, accelerator, probe, gpu_unavailable) = match init_gpu_probed().await {
        Ok((device, probe)) => (Some(device), Accelerator::Gpu, probe, None),
        Err(error) => (None, Accelerator::Cpu, Vec::new(), Some(error.to_string())),
    };
    let report = DeviceReport {
        accelerator,
        gpu_unavailable,
        probe,
        millis: clock.elapsed_ms(),
    };
    (device, report)
}

/// The wgpu device, and its probe read back.
async fn init_gpu_probed() -> Result<(Device, Vec<f32>), ComputeError> {
    let device = init_wgpu().await?;
    let probe = probe(&device).await?;
    Ok((device, probe))
}

fn device_name(device: &Device) -> &'static str {
    if is_cpu(device) { "CPU" } else { "GPU" }
}

/// Whether `device` is burn's CPU device.
#[cfg(feature = "cpu")]
pub fn is_cpu(device: &Device) -> bool {
    *device == init_cpu()
}

/// A build without burn's CPU device (the page's WebGPU worker) has only the GPU.
#[cfg(not(feature = "cpu"))]
pub fn is_cpu(_: &Device) -> bool {
    false
}
