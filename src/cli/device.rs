//! `hearth device`: initialise the compute device and run a probe computation.

use clap::Args;

use super::DeviceChoice;
use crate::clock::Stopwatch;
use crate::compute::{self, DeviceReport};

#[derive(Args)]
pub(super) struct DeviceArgs {
    /// Which device to initialise.
    #[arg(long, value_enum, default_value = "auto")]
    device: DeviceChoice,
}

/// Runs `hearth device`.
pub(super) fn run(args: &DeviceArgs) -> Result<(), String> {
    let report: DeviceReport = match args.device {
        DeviceChoice::Auto => pollster::block_on(compute::init_preferred()).1,
        DeviceChoice::Cpu | DeviceChoice::Wgpu => {
            let clock = Stopwatch::start();
            let (device, accelerator) = match args.device {
                DeviceChoice::Wgpu => (
                    pollster::block_on(compute::init_wgpu()).map_err(|error| error.to_string())?,
                    compute::Accelerator::Gpu,
                ),
                _ => (compute::init_cpu(), compute::Accelerator::Cpu),
            };
            let probe =
                pollster::block_on(compute::probe(&device)).map_err(|error| error.to_string())?;
            DeviceReport {
                accelerator,
                gpu_unavailable: None,
                probe,
                millis: clock.elapsed_ms(),
            }
        }
    };
    println!("device: {}", report.accelerator.label());
    if let Some(reason) = &report.gpu_unavailable {
        println!("GPU not used: {reason}");
    }
    println!(
        "probe: {:?} ({})",
        report.probe,
        if report.probe_ok() {
            "correct"
        } else {
            "WRONG"
        }
    );
    println!("initialised in {:.0} ms", report.millis);
    if report.probe_ok() {
        Ok(())
    } else {
        Err("the device computed a wrong probe result".to_string())
    }
}
