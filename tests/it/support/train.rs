//! Training for the suites: datasets prepared with the default preprocessing, small runs on
//! the CPU device, and the one wgpu device of the process.

use std::sync::OnceLock;

use burn::tensor::Device;
use hearth::compute::{self, DeviceReport};
use hearth::data::{Dataset, Task};
use hearth::prep::{PrepConfig, Prepared};
use hearth::train::{Activation, EpochReport, ModelKind, TrainConfig, Trainer, TrainingData};

use super::{bundled, ok, prepare};

/// `dataset` prepared with the default preprocessing, and its training examples.
pub fn prepared_from(dataset: &Dataset, target: &str, task: Task) -> (Prepared, TrainingData) {
    let (_, prepared) = prepare(dataset, target, task, &PrepConfig::default());
    let data = ok(TrainingData::from_prepared(&prepared, dataset));
    (prepared, data)
}

/// A bundled dataset, prepared: `(name, target, task)`.
pub fn prepared(name: &str, target: &str, task: Task) -> (Prepared, TrainingData) {
    prepared_from(&bundled(name), target, task)
}

/// Trains to the end on `device` and returns the trainer and every epoch's report.
pub fn train_on(
    device: Device,
    prepared: &Prepared,
    data: &TrainingData,
    config: &TrainConfig,
) -> (Trainer, Vec<EpochReport>) {
    let mut trainer = ok(Trainer::new(
        device,
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        config,
    ));
    let mut reports = Vec::new();
    while !trainer.done() {
        reports.push(ok(pollster::block_on(trainer.next_epoch())));
    }
    (trainer, reports)
}

/// Trains to the end on the CPU device.
pub fn train(
    prepared: &Prepared,
    data: &TrainingData,
    config: &TrainConfig,
) -> (Trainer, Vec<EpochReport>) {
    train_on(compute::init_cpu(), prepared, data, config)
}

/// A ReLU MLP without dropout or layer norm.
pub fn mlp(hidden: &[usize]) -> ModelKind {
    ModelKind::Mlp(hearth::train::MlpSettings {
        hidden: hidden.to_vec(),
        activation: Activation::Relu,
        dropout: 0.0,
        layer_norm: false,
    })
}

/// The preferred device and its report, chosen once per process: burn initialises its wgpu
/// runtime only once, so every test that needs the GPU shares this one.
pub fn gpu() -> &'static (Device, DeviceReport) {
    static GPU: OnceLock<(Device, DeviceReport)> = OnceLock::new();
    GPU.get_or_init(|| pollster::block_on(compute::init_preferred()))
}
