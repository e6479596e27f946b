//! The compute device natively: burn's CPU device, and wgpu on Mesa lavapipe (scripts/setup
//! installs mesa-vulkan-drivers, so a Vulkan adapter always exists where the suite runs).

use hearth::compute::{self, Accelerator, PROBE_EXPECTED};

use crate::support::gpu;

#[test]
fn the_cpu_device_computes_the_probe() {
    let device = compute::init_cpu();
    assert_eq!(
        pollster::block_on(compute::probe(&device)),
        Ok(PROBE_EXPECTED.to_vec())
    );
}

/// The process's one preferred device (`support::gpu`): burn initialises its wgpu runtime once
/// per process, and `train_wgpu` trains on the same device.
#[test]
fn the_preferred_device_is_the_gpu_and_its_probe_reads_back_right() {
    let (_device, report) = gpu();
    assert_eq!(
        report.accelerator,
        Accelerator::Gpu,
        "GPU unavailable: {:?}",
        report.gpu_unavailable
    );
    assert!(report.probe_ok(), "probe read back {:?}", report.probe);
    assert!(report.millis > 0.0);
}
