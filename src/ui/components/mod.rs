//! One component per pipeline step, and the pieces they are built from.

mod bars;
mod chart;
mod columns;
mod data_step;
mod decisions;
mod device_badge;
mod dialect;
mod export_step;
mod form;
mod leaderboard;
mod metrics;
mod prep_settings;
mod prepare_step;
mod preview;
mod progress;
mod search_settings;
mod search_step;
mod set_aside;
mod source;
mod study;
mod study_charts;
mod study_text;
mod target;
mod train_settings;
mod train_step;

pub use data_step::DataStep;
pub use device_badge::DeviceBadge;
pub use export_step::ExportStep;
pub use prepare_step::PrepareStep;
pub use search_step::SearchStep;
pub use train_step::TrainStep;
