//! One component per pipeline step, and the pieces they are built from.

mod bars;
mod columns;
mod data_step;
mod device_badge;
mod dialect;
mod preview;
mod progress;
mod source;
mod target;

pub use data_step::DataStep;
pub use device_badge::DeviceBadge;
